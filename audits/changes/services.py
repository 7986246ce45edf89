"""The API change guide and the error decoder for one target.

A version of a target's schema is one of its stored ``SchemaVersion`` rows (``v<id>``), or a git
revision of its schema path (``git:<sha>``) when that path is in a git checkout. The changes
between two versions come from the engine (``audits.engine.changes``), each with the endpoints
the last endpoint scan stored for the target (the models each one touches). An error is
decoded against the target's last successful audit: its expected and live schemas and findings.
When the audit's three-way check found a pending migration that creates what the error lacks,
that migration is the fix. Nothing here writes: both are read-only questions.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from audits.core.models import AuditRun, SchemaVersion, Target
from audits.core.records import report_from_run
from audits.core.snapshots import run_schemas
from audits.endpoints.models import Endpoint
from audits.engine.changes import Change, changes_between, schema_facts, with_endpoints
from audits.engine.changes.guide import guide_to_dict, guide_to_markdown, sections, summary_line
from audits.engine.decode import Decoded, decode, parse_error
from audits.engine.errors import EngineError
from audits.engine.history.threeway import PENDING_MIGRATION
from audits.engine.prisma import ast, parse_files
from audits.history.models import ThreeWayRecord

GIT_TIMEOUT_S = 10
GIT_REVISIONS = 30  # the newest commits of the schema path offered on the page
MAX_ERROR_CHARS = 20_000  # a pasted log is cut here: the error is near its start


class ChangesError(Exception):
    """A version cannot be read (unknown, gone from git, not a schema): shown as it is."""


@dataclass(frozen=True)
class Version:
    ref: str  # "v12" or "git:<sha>"
    label: str


@dataclass
class Guide:
    old: Version
    new: Version
    changes: list[Change]
    summary: str = ""
    sections: list[tuple[str, list[Change]]] = field(default_factory=list)

    def to_dict(self, target: Target) -> dict[str, Any]:
        return {"target": target.slug, "from": self.old.ref, "to": self.new.ref,
                "from_label": self.old.label, "to_label": self.new.label,
                **guide_to_dict(self.changes)}

    def markdown(self) -> str:
        return guide_to_markdown(self.changes, self.old.label, self.new.label)


# -- versions ---------------------------------------------------------------------------------


def stored_versions(target: Target) -> list[Version]:
    """The schema versions the target has seen, newest first (one query, no content)."""
    rows = (SchemaVersion.objects.filter(target=target).order_by("-created_at", "-id")
            .values_list("pk", "label", "created_at", "content_hash"))
    return [Version(f"v{pk}", f"#{pk} {label or digest[:12]} ({created:%Y-%m-%d %H:%M})")
            for pk, label, created, digest in rows]


def git_versions(target: Target) -> list[Version]:
    """The newest commits that changed the target's schema path, if it is in a git checkout."""
    where = _git_place(target)
    if where is None:
        return []
    top, relative = where
    out = _git(top, "log", f"-n{GIT_REVISIONS}", "--format=%H%x1f%h%x1f%cs%x1f%s", "--",
               relative)
    versions = []
    for line in out.splitlines():
        sha, short, day, subject = (line.split("\x1f") + ["", "", ""])[:4]
        versions.append(Version(f"git:{sha}", f"{short} {day} {subject[:60]}"))
    return versions


def _git_place(target: Target) -> tuple[Path, str] | None:
    if not target.schema_path:
        return None
    path = Path(target.schema_path)
    folder = path if path.is_dir() else path.parent
    if not folder.is_dir():
        return None
    try:
        top = Path(_git(folder, "rev-parse", "--show-toplevel").strip())
    except ChangesError:
        return None
    return top, path.resolve().relative_to(top.resolve()).as_posix()


def _git(cwd: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True,
                              timeout=GIT_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ChangesError(f"git could not run: {exc}") from None
    if done.returncode != 0:
        raise ChangesError(f"git {args[0]}: {done.stderr.strip()[:300]}")
    return done.stdout


def schema_files_at(target: Target, ref: str) -> tuple[Version, dict[str, str]]:
    """The label and ``{file: text}`` of a version reference."""
    if ref.startswith("v") and ref[1:].isdigit():
        row = SchemaVersion.objects.filter(target=target, pk=int(ref[1:])).first()
        if row is None:
            raise ChangesError(f"{ref} is not a schema version of this target")
        label = f"#{row.pk} {row.label or row.content_hash[:12]}"
        return Version(ref, label), dict(row.content)
    if ref.startswith("git:") and len(ref) > 8 and all(
            c in "0123456789abcdef" for c in ref[4:]):
        return _git_files(target, ref)
    raise ChangesError(f"{ref!r} is not a version: use v<id> or git:<sha>")


def _git_files(target: Target, ref: str) -> tuple[Version, dict[str, str]]:
    where = _git_place(target)
    if where is None:
        raise ChangesError("the target's schema path is not in a git checkout")
    top, relative = where
    sha = ref[4:]
    names = _git(top, "ls-tree", "-r", "--name-only", sha, "--", relative).split("\n")
    names = [name for name in names if name.endswith(".prisma")]
    if not names:
        raise ChangesError(f"{relative} holds no .prisma file at {sha[:12]}")
    files = {}
    for name in sorted(names):
        key = name if name == relative else Path(name).relative_to(relative).as_posix()
        files[key] = _git(top, "show", f"{sha}:{name}")
    return Version(ref, f"{sha[:9]} {relative}"), files


def default_pair(versions: list[Version]) -> tuple[str, str] | None:
    """The previous and the newest version, when there are two."""
    return (versions[1].ref, versions[0].ref) if len(versions) > 1 else None


# -- the guide --------------------------------------------------------------------------------


def change_guide(target: Target, old_ref: str, new_ref: str) -> Guide:
    old_version, old_files = schema_files_at(target, old_ref)
    new_version, new_files = schema_files_at(target, new_ref)
    old, new = _parse(old_files, old_version), _parse(new_files, new_version)
    old_facts, new_facts = schema_facts(old), schema_facts(new)
    changes = with_endpoints(changes_between(old_facts, new_facts), stored_endpoints(target),
                             old_facts, new_facts)
    return Guide(old_version, new_version, changes, summary_line(changes), sections(changes))


def _parse(files: dict[str, str], version: Version) -> ast.PrismaSchema:
    try:
        return parse_files(files)
    except EngineError as exc:
        raise ChangesError(f"{version.label}: {exc}") from None


def stored_endpoints(target: Target) -> list[tuple[str, list[str]]]:
    """(key, models) of each endpoint the last scan stored, in the scan's order (one query)."""
    rows = Endpoint.objects.filter(target=target).order_by("prefix", "route", "method_key")
    return [(f"{method_key} {route}", list(models))
            for method_key, route, models in rows.values_list("method_key", "route", "models")]


# -- decoding an error ------------------------------------------------------------------------


def decode_error(target: Target, message: str) -> Decoded:
    """``message`` decoded against the target's last successful audit."""
    text = message.strip()[:MAX_ERROR_CHARS]
    if not text:
        raise ChangesError("paste an error first")
    run = _last_success(target)
    if run is None:
        raise ChangesError("the target has no successful audit to decode against yet")
    expected, actual = run_schemas(run)
    if expected is None or actual is None:
        raise ChangesError(f"audit #{run.number or run.pk} kept no schema snapshots to decode "
                           "against")
    prisma = _prisma_of(target, run)
    decoded = decode(parse_error(text), prisma, expected,
                     report_from_run(run, dialect=actual.dialect), actual=actual,
                     endpoints=stored_endpoints(target))
    return _with_pending_migration(run, decoded)


def _with_pending_migration(run: AuditRun, decoded: Decoded) -> Decoded:
    """When the audit's three-way check found a migration, not yet applied, that creates what
    the first finding lacks, that migration is the fix: deploy it rather than write another."""
    if not decoded.findings:
        return decoded
    finding = decoded.findings[0]
    name = finding.object_name if finding.kind == "missing_enum" else ".".join(
        part for part in (finding.table, finding.column) if part)
    if finding.schema and finding.schema != "public":
        name = f"{finding.schema}.{name}"
    row = (ThreeWayRecord.objects.filter(run=run, verdict=PENDING_MIGRATION, object=name)
           .exclude(migration="").values_list("migration", flat=True).first())
    if not row:
        return decoded
    fix = (f"-- Pending migration {row} creates it: deploy it (npx prisma migrate deploy) "
           "rather than writing another.\n" + (decoded.fix or ""))
    explanation = f"{decoded.explanation} The pending migration {row} repairs it."
    return replace(decoded, fix=fix, explanation=explanation)


def _last_success(target: Target) -> AuditRun | None:
    if not target.last_success_id:
        return None
    return (AuditRun.objects.select_related("target", "schema_version")
            .filter(pk=target.last_success_id).first())


def _prisma_of(target: Target, run: AuditRun) -> ast.PrismaSchema:
    version = run.schema_version or target.current_schema
    if version is None:
        return ast.PrismaSchema()  # a baseline audit: tables and columns only, no model names
    return parse_files(dict(version.content))

