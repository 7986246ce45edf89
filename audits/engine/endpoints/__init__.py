"""Endpoint safety: scan a TS/JS backend for the Prisma models each endpoint touches
(``scan_backend``), then judge each endpoint from the audit's model statuses
(``endpoint_verdicts``).

Attribution is per declaration where the code allows it: an endpoint reaches the top-level
functions and constants it names, through imports and re-exports, and the methods it calls on a
service class or instance (``orderService.get()``, ``this.orders.find()`` with
``orders: OrdersService`` injected); a class member that cannot be pinned (``super.x()``, a
member assigned at run time) takes the whole class. It is per module otherwise (a namespace used
bare, ``require``/``import()``, CommonJS): that may over-report, never miss. A whole
declaration counts even when only part of it runs (a function's branches are not told apart).
"""

from audits.engine.endpoints.check import EndpointsReport, check_backend, model_names
from audits.engine.endpoints.facts import accessor_of, relations_from_prisma
from audits.engine.endpoints.scan import (
    Endpoint,
    ModelUseFact,
    RawSqlFact,
    ScanResult,
    UnresolvedImport,
    scan_backend,
)
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
    "EndpointsReport",
    "ModelUseFact",
    "Override",
    "RawSqlFact",
    "ScanResult",
    "UnresolvedImport",
    "Verdict",
    "accessor_of",
    "apply_overrides",
    "check_backend",
    "endpoint_verdicts",
    "finding_reason",
    "model_names",
    "relations_from_prisma",
    "scan_backend",
    "statuses_from_report",
    "tables_to_models",
]
