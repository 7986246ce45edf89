"""One call from an audit's results to endpoint verdicts, for the CLI, the tasks and the tests.

``check_backend(code_dir, prisma_schema, expected, report)`` scans the code for the models of
``prisma_schema`` (relations included), then judges each endpoint from ``report``; raw SQL
tables map to models through ``expected`` (the lowered schema).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audits.engine.endpoints.facts import relations_from_prisma
from audits.engine.endpoints.scan import ScanResult, UnresolvedImport, scan_backend
from audits.engine.endpoints.verdict import (
    EndpointVerdict,
    Override,
    Verdict,
    endpoint_verdicts,
    statuses_from_report,
    tables_to_models,
)
from audits.engine.model import Report, Schema, Status, to_plain

if TYPE_CHECKING:
    from audits.engine.confine import Roots
    from audits.engine.prisma.ast import PrismaSchema


@dataclass(frozen=True)
class EndpointsReport:
    verdicts: tuple[EndpointVerdict, ...]
    unresolved: tuple[UnresolvedImport, ...]
    scan: ScanResult

    def to_dict(self) -> dict[str, Any]:
        """The CLI's JSON: ``{"endpoints": [{route, methods, file, models, verdict, reasons}],
        "unresolved": [{file, specifier, line}]}``."""
        return {"endpoints": [verdict.to_dict() for verdict in self.verdicts],
                "unresolved": [to_plain(item) for item in self.unresolved]}

    def counts(self) -> dict[str, int]:
        counts = {verdict.value: 0 for verdict in Verdict}
        for item in self.verdicts:
            counts[item.verdict.value] += 1
        return counts


def model_names(schema: PrismaSchema) -> list[str]:
    """The models Prisma Client has a property for (models and views, not composite types)."""
    return [model.name for model in schema.models if model.kind in ("model", "view")]


def check_backend(code_dir: Path, schema: PrismaSchema, expected: Schema, report: Report,
                  overrides: Iterable[Override] = (), roots: Roots | None = None
                  ) -> EndpointsReport:
    """``roots``: the folders every file read must resolve under (None: anywhere)."""
    scan = scan_backend(code_dir, model_names(schema), relations_from_prisma(schema), roots)
    table_models = tables_to_models(expected)
    # every model the schema knows starts ok: a report lists only what it has looked at
    statuses = {name: Status.OK for name in model_names(schema)}
    statuses.update(statuses_from_report(report))
    verdicts = endpoint_verdicts(scan, statuses, report.findings, overrides, table_models)
    return EndpointsReport(tuple(verdicts), scan.unresolved, scan)
