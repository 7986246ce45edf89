"""Endpoint safety: scan a TS/JS backend for the Prisma models each endpoint touches
(``scan_backend``), then judge each endpoint from the audit's model statuses
(``endpoint_verdicts``).

Attribution is per exported function where the code allows it (an endpoint reaches the
declarations it names, through imports and re-exports) and per module otherwise (namespace
objects used bare, ``require``/``import()``, CommonJS): the latter may over-report, never miss.
"""

from audits.engine.endpoints.scan import (
    Endpoint,
    ModelUseFact,
    RawSqlFact,
    ScanResult,
    UnresolvedImport,
    scan_backend,
)
from audits.engine.endpoints.usage import accessor_of, relations_from_prisma
from audits.engine.endpoints.verdict import (
    EndpointVerdict,
    Override,
    Verdict,
    apply_overrides,
    endpoint_verdicts,
    finding_reason,
    statuses_from_report,
    tables_to_models,
)

__all__ = [
    "Endpoint",
    "EndpointVerdict",
    "ModelUseFact",
    "Override",
    "RawSqlFact",
    "ScanResult",
    "UnresolvedImport",
    "Verdict",
    "accessor_of",
    "apply_overrides",
    "endpoint_verdicts",
    "finding_reason",
    "relations_from_prisma",
    "scan_backend",
    "statuses_from_report",
    "tables_to_models",
]
