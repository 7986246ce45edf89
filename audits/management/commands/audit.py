"""`python manage.py audit TARGET [--wait] [--format json]` for cron and CI.

Exit status: 0 clean, 2 drift (any finding above info), 1 error (the audit failed or the
target does not exist). Without --wait the audit is queued for the workers and 0 is returned.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audits.core.models import AuditRun, Finding, Target
from audits.core.records import findings_of
from audits.targets import services

POLL_SECONDS = 0.5
RUN_HERE_AFTER_SECONDS = 5.0  # no worker claimed it by then: run it in this process


class Command(BaseCommand):
    help = "Audit a target (by slug or name); exit 2 on drift, 1 on error, 0 when clean."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", help="the target's slug or name")
        parser.add_argument("--wait", action="store_true",
                            help="wait for the result (runs here if no worker picks it up)")
        parser.add_argument("--timeout", type=float, default=600.0,
                            help="seconds to wait for a worker before giving up (with --wait)")
        parser.add_argument("--inline", action="store_true",
                            help="run the audit in this process instead of on a worker")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        target = (Target.objects.filter(slug=options["target"]).first()
                  or Target.objects.filter(name=options["target"]).first())
        if target is None:
            raise CommandError(f"no target named {options['target']!r}")
        run = services.request_audit(target, trigger="cli", enqueue=not options["inline"])
        if options["inline"]:
            services.execute_audit(run.pk)
        elif not options["wait"]:
            self._emit(run, options["format"], queued=True)
            return
        run = self._wait(run.pk, options["timeout"])
        self._emit(run, options["format"])
        if run.status != AuditRun.State.SUCCEEDED:
            sys.exit(1)
        if run.has_drift:
            sys.exit(2)

    def _wait(self, run_id: int, timeout: float) -> AuditRun:
        started = time.monotonic()
        deadline = started + timeout
        while True:
            run = AuditRun.objects.get(pk=run_id)
            if run.is_finished:
                return run
            if run.status == AuditRun.State.QUEUED and (
                time.monotonic() - started > RUN_HERE_AFTER_SECONDS
            ):
                # The claim is conditional, so a worker that wakes up now simply skips it.
                services.execute_audit(run_id)
                continue
            if time.monotonic() > deadline:
                raise CommandError(f"audit #{run_id} is still {run.status} after {timeout:.0f} s")
            time.sleep(POLL_SECONDS)

    def _emit(self, run: AuditRun, fmt: str, *, queued: bool = False) -> None:
        findings = list(findings_of(run).order_by("severity_rank", "table", "column", "id"))
        if fmt == "json":
            self.stdout.write(json.dumps(run_document(run, findings), indent=2))
            return
        if queued:
            self.stdout.write(f"audit #{run.number} of {run.target.name} is {run.status}")
            return
        if run.status == AuditRun.State.FAILED:
            self.stderr.write(f"audit #{run.number} of {run.target.name} failed: {run.error}")
            return
        self.stdout.write(
            f"audit #{run.number} of {run.target.name}: {run.worst_status} — "
            f"{run.critical_count} critical, {run.error_count} error, "
            f"{run.warning_count} warning, {run.info_count} info ({run.duration_ms} ms)"
        )
        for finding in findings:
            self.stdout.write(f"  [{finding.severity}] {finding.message}")


def run_document(run: AuditRun, findings: list[Finding]) -> dict[str, Any]:
    return {
        "target": run.target.slug,
        "run": run.pk,
        "status": run.status,
        "worst_status": run.worst_status,
        "error": run.error,
        "duration_ms": run.duration_ms,
        "counts": run.severity_counts,
        "findings": [
            {"kind": f.kind, "severity": f.severity, "model": f.model, "table": f.table,
             "column": f.column, "expected": f.expected, "actual": f.actual, "message": f.message}
            for f in findings
        ],
    }
