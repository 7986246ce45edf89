"""Endpoint verdicts: what the audit says about the models an endpoint touches.

``unsafe``: it touches a broken or missing model. ``unknown``: raw SQL the scanner could not
read, a table or model the schema does not know, or code it could not follow. ``degraded``:
only warnings on what it touches. ``safe``: nothing wrong. Unsafe wins over unknown (a missing
table breaks the endpoint whatever else it does); every verdict but safe carries its reasons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from audits.engine.endpoints.scan import Endpoint, ScanResult
from audits.engine.model import Finding, Report, Schema, Severity, Status, to_plain


class Verdict(StrEnum):
    SAFE = "safe"
    DEGRADED = "degraded"
    UNSAFE = "unsafe"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Override:
    """A dependency the scanner cannot see (``add``) or one it sees wrongly (``remove``)."""

    route: str
    model: str
    action: str = "add"  # "add" or "remove"
    methods: tuple[str, ...] = ()  # empty: every method of the route
    reason: str = ""
    author: str = ""


@dataclass(frozen=True)
class EndpointVerdict:
    route: str
    methods: tuple[str, ...]
    file: str
    models: tuple[str, ...]
    verdict: Verdict
    reasons: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """``"GET /api/orders/:id"``: the same key as the scanned ``Endpoint``'s."""
        return f"{','.join(self.methods)} {self.route}"

    def to_dict(self) -> dict[str, Any]:
        plain: dict[str, Any] = to_plain(self)
        plain["verdict"] = self.verdict.value
        return plain


def tables_to_models(schema: Schema) -> dict[str, str]:
    """Table name -> Prisma model, from the expected schema (for tables raw SQL names)."""
    return {table.name: table.model for table in schema.tables if table.model}


_STATUS_ORDER = (Status.OK, Status.DEGRADED, Status.BROKEN, Status.MISSING)


def statuses_from_report(report: Report) -> dict[str, Status]:
    """model -> status from a compare report (the worst status when a model has several)."""
    statuses: dict[str, Status] = {}
    for item in report.objects:
        if item.model is None:
            continue
        current = statuses.get(item.model, Status.OK)
        statuses[item.model] = max(current, item.status, key=_STATUS_ORDER.index)
    return statuses


def apply_overrides(endpoints: Iterable[Endpoint], overrides: Iterable[Override]) -> list[Endpoint]:
    """The endpoints with manual additions and removals of model dependencies applied."""
    rules = list(overrides)
    result = []
    for endpoint in endpoints:
        models = set(endpoint.models)
        for rule in rules:
            if rule.route != endpoint.route:
                continue
            if rule.methods and not set(rule.methods) & set(endpoint.methods):
                continue
            if rule.action == "remove":
                models.discard(rule.model)
            else:
                models.add(rule.model)
        if models != set(endpoint.models):
            endpoint = replace(endpoint, models=tuple(sorted(models)))
        result.append(endpoint)
    return result


def endpoint_verdicts(scan: ScanResult, statuses: Mapping[str, Status | str],
                      findings: Iterable[Finding], overrides: Iterable[Override] = (),
                      table_models: Mapping[str, str] | None = None) -> list[EndpointVerdict]:
    """One verdict per scanned endpoint.

    ``statuses`` maps every model of the expected schema to its status; ``findings`` are the
    audit's findings (their ``model`` links them to models); ``table_models`` maps table names
    that raw SQL may name to models (``tables_to_models(expected)``); without it a table is
    taken to be the model of the same name.
    """
    judge = _Judge(statuses, findings, table_models)
    return [judge.verdict(endpoint) for endpoint in apply_overrides(scan.endpoints, overrides)]


class _Judge:
    def __init__(self, statuses: Mapping[str, Status | str], findings: Iterable[Finding],
                 table_models: Mapping[str, str] | None) -> None:
        self.statuses = {model: Status(status) for model, status in statuses.items()}
        self.tables = dict(table_models) if table_models is not None else \
            {model: model for model in self.statuses}
        self.lowered = {table.lower(): model for table, model in self.tables.items()}
        self.findings: dict[str, list[Finding]] = {}
        for finding in findings:
            model = finding.model or self.tables.get(finding.table or "")
            if model:
                self.findings.setdefault(model, []).append(finding)

    def verdict(self, endpoint: Endpoint) -> EndpointVerdict:
        models = set(endpoint.models)
        unknown = list(endpoint.unknown_reasons)
        for fact in endpoint.raw_sql:
            for table in fact.tables:
                model = self.tables.get(table) or self.lowered.get(table.lower())
                if model is None:
                    unknown.append(f'raw SQL in {fact.file}:{fact.line} reads table "{table}", '
                                   f"which no model maps")
                else:
                    models.add(model)
        unsafe: list[str] = []
        degraded: list[str] = []
        for model in sorted(models):
            status = self.statuses.get(model)
            if status is None:
                unknown.append(f"model {model} is not in the schema")
            elif status in (Status.BROKEN, Status.MISSING):
                unsafe += self._reasons(model, status)
            elif status is Status.DEGRADED:
                degraded += self._reasons(model, status)
        if unsafe:
            verdict = Verdict.UNSAFE
        elif unknown:
            verdict = Verdict.UNKNOWN
        elif degraded:
            verdict = Verdict.DEGRADED
        else:
            verdict = Verdict.SAFE
        reasons = tuple(dict.fromkeys(unsafe + unknown + degraded))
        return EndpointVerdict(endpoint.route, endpoint.methods, endpoint.file,
                               tuple(sorted(models)), verdict, reasons)

    def _reasons(self, model: str, status: Status) -> list[str]:
        wanted = (Severity.WARNING,) if status is Status.DEGRADED else \
            (Severity.CRITICAL, Severity.ERROR)
        reasons = [finding_reason(model, f) for f in self.findings.get(model, [])
                   if f.severity in wanted]
        if reasons:
            return reasons
        if status is Status.MISSING:
            return [f"the table of model {model} does not exist"]
        return [f"model {model} is {status.value}"]


def finding_reason(model: str, finding: Finding) -> str:
    """A finding said in the words the mobile team reads: model, column or table."""
    if finding.kind == "missing_column":
        return f"{model}.{finding.field or finding.column} is missing"
    if finding.kind == "missing_table":
        return f'table "{finding.table or model}" does not exist (model {model})'
    return f"{model}: {finding.message}"
