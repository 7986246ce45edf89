"""The change list agrees with Prisma's own parse: for many pairs of schema versions, the JSON
change list of ``audits.engine.changes`` equals the changes implied by ``prisma-oracle dmmf``
of both sides, computed here by a differ of its own over the DMMF (``dmmf_changes``).

Pairs:
- consecutive versions of real projects' schema.prisma, from their git history (langfuse,
  inbox-zero, umami) where a clone is at hand: ``DRIFTWATCH_SCHEMA_HISTORY`` names a folder of
  ``<owner>+<name>/repo`` git directories (default ``../.mirror`` beside the checkout). The last
  ``DRIFTWATCH_SCHEMA_HISTORY_PAIRS`` pairs per project (default 10; ``all`` for every one:
  Prisma's parse of a 70-model schema takes about a second);
- edits of the real-world fixtures (``../shared/fixtures/real-world``) and the seed that Prisma
  accepts: a model renamed with its table kept (``@@map``), a field renamed with its column kept
  (``@map``), fields added, removed, made optional, retyped, a default and a unique changed, an
  enum renamed, a value added and removed, a relation's onDelete changed: every edit on the seed
  and umami, the first ``BIG_EDITS`` on langfuse and inbox-zero, each also undone for some;
- the seed's pre-incident and current schema, both ways.

The DMMF differ follows the rule the issue states (match by name, then by table/column/type
name, then by similarity) from Prisma's facts alone: it shares no code with the engine but the
similarity thresholds.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pytest

from audits import seed
from audits.engine.changes import guide_to_dict, schema_changes
from audits.engine.changes.diff import CHANGE_KINDS, SIMILAR, SIMILAR_MIN, SIMILAR_NAME
from audits.engine.prisma import ast, load_schema
from tests.conftest import REPO_ROOT

HISTORY_DIR = Path(os.environ.get("DRIFTWATCH_SCHEMA_HISTORY", REPO_ROOT.parent / ".mirror"))
HISTORY_PAIRS = os.environ.get("DRIFTWATCH_SCHEMA_HISTORY_PAIRS", "10")
HISTORIES = (
    ("langfuse+langfuse", "packages/shared/prisma/schema.prisma"),
    ("elie222+inbox-zero", "apps/web/prisma/schema.prisma"),
    ("umami-software+umami", "prisma/schema.prisma"),
)
REAL_WORLD = ("inbox-zero", "langfuse", "umami")
BIG_EDITS = 6  # edits of langfuse and inbox-zero (the seed's and umami's: all)
UNKNOWN_PREVIEW_FEATURE = re.compile(r'The preview feature \\?"(\w+)\\?" is not known')

Row = tuple[Any, ...]


# --- Prisma's side ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dmmf_batch(shared_dir: Path) -> Callable[[list[Path]], list[dict[str, Any] | None]]:
    """Prisma's DMMF datamodel of many schema files in one node process (None: Prisma rejects
    the schema). The oracle's own ``dmmf`` is called once first, which installs it."""
    oracle = shared_dir / "tools" / "prisma-oracle" / "prisma-oracle"
    if not oracle.exists():
        pytest.skip(f"SKIPPED LOUDLY: {oracle} is absent")
    probe = subprocess.run([str(oracle), "dmmf", str(seed.SCHEMA_PATH)], capture_output=True,
                           text=True, timeout=300, check=False)
    assert probe.returncode == 0, probe.stderr[-2000:]
    home = Path(os.environ.get("PRISMA_ORACLE_HOME") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "prisma-oracle")
    script = Path(__file__).with_name("dmmf_batch.cjs")

    def run(paths: list[Path]) -> list[dict[str, Any] | None]:
        done = subprocess.run(["node", str(script), str(home)],
                              input=json.dumps([str(p) for p in paths]), capture_output=True,
                              text=True, timeout=1200, check=False,
                              env={**os.environ, "NODE_OPTIONS": "--experimental-wasm-modules "
                                                                 "--no-warnings"})
        assert done.returncode == 0, done.stderr[-2000:]
        return [item.get("datamodel") for item in json.loads(done.stdout)]

    return run


def _render(value: Any, kind: str, type_name: str) -> str:
    if isinstance(value, dict):
        return f"{value['name']}({', '.join(_render(a, 'scalar', '') for a in value['args'])})"
    if isinstance(value, list):
        return "[" + ", ".join(_render(item, kind, type_name) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if type_name == "BigInt" and kind == "scalar":
        return str(int(value))
    return str(value) if kind == "enum" else json.dumps(value, ensure_ascii=False)


def _field(field: dict[str, Any]) -> dict[str, Any]:
    kind = "object" if field["kind"] == "object" else field["kind"]
    facts: dict[str, Any] = {
        "name": field["name"], "column": field.get("dbName") or field["name"],
        "type": field["type"], "kind": kind, "list": field["isList"],
        "required": field["isRequired"],
        "default": _render(field["default"], kind, field["type"])
        if field.get("hasDefaultValue") and "default" in field else None,
        "updated_at": field.get("isUpdatedAt", False),
        "native": (f"@db.{field['nativeType'][0]}" + (
            f"({', '.join(field['nativeType'][1])})" if field["nativeType"][1] else ""))
        if field.get("nativeType") else None,
        "on_delete": None, "on_update": None,
    }
    if kind == "object" and field.get("relationFromFields"):
        facts["on_delete"] = field.get("relationOnDelete") or (
            "Restrict" if field["isRequired"] else "SetNull")
        facts["on_update"] = field.get("relationOnUpdate") or "Cascade"
    return facts


def _model(model: dict[str, Any]) -> dict[str, Any]:
    fields = [_field(f) for f in model["fields"]]
    uniques = {(f["name"],) for f in model["fields"] if f["isUnique"]}
    uniques |= {tuple(names) for names in model.get("uniqueFields", [])}
    return {"name": model["name"], "key": model.get("dbName") or model["name"],
            "fields": fields, "uniques": uniques}


def _pair_up(old: list[dict[str, Any]], new: list[dict[str, Any]],
             score: Callable[[dict[str, Any], dict[str, Any]], float]
             ) -> tuple[list[tuple[dict[str, Any], dict[str, Any], bool]],
                        list[dict[str, Any]], list[dict[str, Any]]]:
    """Name, then key (exactly one on each side), then best similarity first."""
    new_names = {n["name"] for n in new}
    old_names = {o["name"] for o in old}
    pairs = [(o, next(n for n in new if n["name"] == o["name"]), False)
             for o in old if o["name"] in new_names]
    gone = [o for o in old if o["name"] not in new_names]
    came = [n for n in new if n["name"] not in old_names]
    for o in list(gone):
        with_key = [n for n in came if n["key"] == o["key"]]
        if len(with_key) == 1 and [g["key"] for g in gone].count(o["key"]) == 1:
            pairs.append((o, with_key[0], False))
            gone.remove(o)
            came.remove(with_key[0])
    ranked = sorted(((score(o, n), o["name"], n["name"]) for o in gone for n in came),
                    key=lambda r: (-r[0], r[1], r[2]))
    for value, old_name, new_name in ranked:
        o = next((g for g in gone if g["name"] == old_name), None)
        n = next((c for c in came if c["name"] == new_name), None)
        if value > 0 and o is not None and n is not None:
            pairs.append((o, n, True))
            gone.remove(o)
            came.remove(n)
    return pairs, gone, came


def _overlap(a: set[Any], b: set[Any]) -> float:
    union = a | b
    if len(union) < SIMILAR_MIN:
        return 0.0
    value = len(a & b) / len(union)
    return value if value >= SIMILAR else 0.0


def _sig(field: dict[str, Any]) -> tuple[Any, ...]:
    return (field["name"], "relation" if field["kind"] == "object" else field["type"],
            field["list"], field["required"])


def _spelled(field: dict[str, Any]) -> str:
    return field["type"] + ("[]" if field["list"] else "")


def _needed(field: dict[str, Any], default: str | None) -> bool:
    return (field["required"] and default is None and not field["list"]
            and field["kind"] != "object" and not field["updated_at"])


def dmmf_changes(old_dm: dict[str, Any], new_dm: dict[str, Any]) -> list[Row]:
    """(kind, model, field, enum, value, from, to, probable, impact), from two DMMF datamodels."""
    rows: list[Row] = []

    def row(kind: str, impact: str, model: str | None = None, field: str | None = None,
            enum: str | None = None, value: str | None = None, before: str | None = None,
            after: str | None = None, probable: bool = False) -> None:
        rows.append((kind, model, field, enum, value, before, after, probable, impact))

    old_models, new_models = map(lambda dm: [_model(m) for m in dm["models"]], (old_dm, new_dm))
    pairs, gone, came = _pair_up(old_models, new_models, lambda o, n: _overlap(
        {_sig(f) for f in o["fields"]}, {_sig(f) for f in n["fields"]}))
    for m in gone:
        row("model_removed", "breaking", m["name"])
    for m in came:
        row("model_added", "safe", m["name"])
    as_enums = [lambda dm: [{"name": e["name"], "key": e.get("dbName") or e["name"],
                             "values": [v["name"] for v in e["values"]]} for e in dm["enums"]]]
    old_enums, new_enums = as_enums[0](old_dm), as_enums[0](new_dm)
    enum_pairs, enums_gone, enums_came = _pair_up(
        old_enums, new_enums, lambda o, n: _overlap(set(o["values"]), set(n["values"])))
    renamed = {o["name"]: n["name"] for o, n, _ in pairs + enum_pairs if o["name"] != n["name"]}
    for o, n, probable in pairs:
        model = n["name"]
        if o["name"] != n["name"]:
            row("model_renamed", "breaking", model, before=o["name"], after=n["name"],
                probable=probable)

        def field_score(a: dict[str, Any], b: dict[str, Any]) -> float:
            if (renamed.get(a["type"], a["type"]), a["list"], a["required"]) != (
                    b["type"], b["list"], b["required"]):
                return 0.0
            ratio = SequenceMatcher(None, a["name"].lower(), b["name"].lower()).ratio()
            return ratio if ratio >= SIMILAR_NAME else 0.0

        keyed = [lambda fs: [{**f, "key": f["column"]} for f in fs]][0]
        fpairs, fgone, fcame = _pair_up(keyed(o["fields"]), keyed(n["fields"]), field_score)
        for f in fgone:
            row("field_removed", "breaking", model, f["name"],
                before=_spelled(f) + ("" if f["required"] else "?"))
        for f in fcame:
            row("field_added", "breaking" if _needed(f, f["default"]) else "safe", model,
                f["name"], after=_spelled(f) + ("" if f["required"] else "?"))
        for a, b, fprobable in fpairs:
            name = b["name"]
            if a["name"] != b["name"]:
                row("field_renamed", "breaking", model, name, before=a["name"], after=b["name"],
                    probable=fprobable)
            if _spelled(a) != _spelled(b):
                row("field_type_changed", "breaking", model, name, before=_spelled(a),
                    after=_spelled(b))
            if a["required"] != b["required"]:
                row("field_optionality_changed", "breaking" if b["required"] else "risky",
                    model, name, before="required" if a["required"] else "optional",
                    after="required" if b["required"] else "optional")
            if a["default"] != b["default"]:
                impact = ("safe" if a["default"] is None else
                          "breaking" if b["default"] is None and _needed(b, None) else "risky")
                row("field_default_changed", impact, model, name, before=a["default"],
                    after=b["default"])
            if a["native"] != b["native"]:
                row("field_native_type_changed", "risky", model, name, before=a["native"],
                    after=b["native"])
            for action in ("on_delete", "on_update"):
                if a[action] and b[action] and a[action] != b[action]:
                    row("relation_action_changed", "risky", model, name,
                        value={"on_delete": "onDelete", "on_update": "onUpdate"}[action],
                        before=a[action], after=b[action])
        new_name = {a["name"]: b["name"] for a, b, _ in fpairs}
        before_uniques = {tuple(new_name.get(x, x) for x in u) for u in o["uniques"]}
        for u in before_uniques - n["uniques"]:
            row("unique_removed", "breaking", model, u[0] if len(u) == 1 else None,
                before=", ".join(u))
        for u in n["uniques"] - before_uniques:
            row("unique_added", "risky", model, u[0] if len(u) == 1 else None,
                after=", ".join(u))
    for e in enums_gone:
        row("enum_removed", "breaking", enum=e["name"])
    for e in enums_came:
        row("enum_added", "safe", enum=e["name"])
    for o, n, probable in enum_pairs:
        if o["name"] != n["name"]:
            row("enum_renamed", "breaking", enum=n["name"], before=o["name"], after=n["name"],
                probable=probable)
        for v in o["values"]:
            if v not in n["values"]:
                row("enum_value_removed", "breaking", enum=n["name"], value=v)
        for v in n["values"]:
            if v not in o["values"]:
                row("enum_value_added", "risky", enum=n["name"], value=v)
    return sorted(rows, key=repr)


_PARSED: dict[str, ast.PrismaSchema] = {}


def parsed(path: Path) -> ast.PrismaSchema:
    """Our parse, once per distinct text (the side shared by many pairs is parsed once)."""
    text = path.read_text()
    if text not in _PARSED:
        _PARSED[text] = load_schema(path)
    return _PARSED[text]


def our_changes(old: Path, new: Path) -> list[Row]:
    document = guide_to_dict(schema_changes(parsed(old), parsed(new)))
    assert set(document) == {"changes"}
    rows = []
    for change in document["changes"]:
        assert list(change) == ["kind", "model", "field", "enum", "value", "from", "to",
                                "probable", "impact", "message", "endpoints"]
        assert change["message"] and change["endpoints"] == []
        rows.append(tuple(change[k] for k in ("kind", "model", "field", "enum", "value", "from",
                                              "to", "probable", "impact")))
    return sorted(rows, key=repr)


# --- the pairs ----------------------------------------------------------------------------------


def history_versions(repo: Path, path: str) -> list[tuple[str, str]]:
    """(commit, text) of each distinct version of ``path``, oldest first."""
    commits = subprocess.run(["git", "--git-dir", str(repo), "log", "--format=%H", "--reverse",
                              "--first-parent", "--", path], capture_output=True, text=True,
                             check=True).stdout.split()
    versions: list[tuple[str, str]] = []
    for commit in commits:
        shown = subprocess.run(["git", "--git-dir", str(repo), "show", f"{commit}:{path}"],
                               capture_output=True, text=True, check=False)
        if shown.returncode == 0 and (not versions or versions[-1][1] != shown.stdout):
            versions.append((commit[:9], shown.stdout))
    return versions


def without_unknown_preview_features(text: str) -> str:
    # old versions list preview features this Prisma no longer knows; they change no datamodel
    return re.sub(r'previewFeatures\s*=\s*\[[^\]]*\]', "", text)


def edits(text: str) -> Iterator[tuple[str, str]]:
    """(what, edited text): edits of a real schema, each one kind of change at least."""
    models = re.findall(r"^model (\w+) \{\n(.*?)^\}", text, re.M | re.S)
    enums = re.findall(r"^enum (\w+) \{\n(.*?)^\}", text, re.M | re.S)
    for number, (name, body) in enumerate(models[:4]):
        block = f"model {name} {{\n{body}}}"
        scalars = re.findall(r"^  (\w+)\s+(String|Int|Boolean|DateTime)(\??)([^\n]*)$", body,
                             re.M)
        renamed_model = re.sub(rf"\b{name}\b(?!\")", f"{name}Renamed", text)
        if "@@map(" not in body:
            renamed_model = renamed_model.replace(
                f"model {name}Renamed {{\n", f'model {name}Renamed {{\n  @@map("{name}")\n', 1)
        yield f"rename model {name}, table kept", renamed_model
        yield f"remove model {name}", re.sub(rf"\n\s*\w+\s+{name}(\[\]|\?)?\b[^\n]*", "",
                                             text.replace(block, ""))
        yield f"add field to {name}", text.replace(block, block.replace(
            "\n}", "\n  addedNote String?\n  addedCount Int\n}"))
        for field, type_name, optional, rest in scalars[1:3]:
            line = f"  {field}"
            old_line = re.search(rf"^  {field}\s+{type_name}\??[^\n]*$", body, re.M)
            assert old_line is not None
            original = old_line.group(0)
            swaps = {
                "optional": original.replace(type_name + optional,
                                             type_name + ("" if optional else "?"), 1),
                "retyped": original.replace(type_name + optional, "Json" + optional, 1)
                if "@default" not in rest and "@db." not in rest else None,
                "renamed": original.replace(line, f"  {field}Renamed", 1)
                + ("" if "@map(" in rest else f' @map("{field}")'),
                "renamed, not mapped": original.replace(line, f"  {field}X", 1),
                "removed": "",
                "default": original + ' @default("x")' if type_name == "String"
                and "@default" not in rest and not optional else None,
                "native": original + " @db.VarChar(200)" if type_name == "String"
                and "@db." not in rest else None,
                "unique": original + " @unique" if "@unique" not in rest
                and "@id" not in rest else None,
            }
            for what, replacement in swaps.items():
                if replacement is not None:
                    yield (f"{what} {name}.{field} ({number})",
                           text.replace(block, block.replace(original, replacement, 1)))
        relation = re.search(r"(@relation\([^\n]*fields:[^\n]*?)\)", body)
        if relation:
            action = "SetNull" if "Cascade" in relation.group(1) else "Cascade"
            cleaned = re.sub(r",\s*onDelete:\s*\w+", "", relation.group(1))
            yield f"onDelete {name}", text.replace(block, block.replace(
                relation.group(0), f"{cleaned}, onDelete: {action})", 1))
    for name, body in enums[:4]:
        block = f"enum {name} {{\n{body}}}"
        values = re.findall(r"^\s+(\w+)", body, re.M)
        yield f"add value to {name}", text.replace(block, block.replace("\n}", "\n  ADDED_X\n}"))
        yield f"rename enum {name}", re.sub(rf"\b{name}\b(?!\")", f"{name}Renamed", text)
        if len(values) > 1:
            yield f"remove value {name}.{values[-1]}", text.replace(
                block, re.sub(rf"^\s+{values[-1]}\b[^\n]*\n", "", block, flags=re.M))


def pair_files(tmp: Path, label: str, old: str, new: str) -> tuple[str, Path, Path]:
    slug = re.sub(r"\W+", "_", label)[:80]
    folder = tmp / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "old.prisma").write_text(without_unknown_preview_features(old))
    (folder / "new.prisma").write_text(without_unknown_preview_features(new))
    return label, folder / "old.prisma", folder / "new.prisma"


def compare_pairs(pairs: list[tuple[str, Path, Path]],
                  dmmf_batch: Callable[[list[Path]], list[dict[str, Any] | None]],
                  kinds: set[str] | None = None) -> tuple[int, list[str]]:
    """How many pairs Prisma accepts, and where our list differs from Prisma's; ``kinds``
    collects the kinds of change compared."""
    by_text: dict[str, Path] = {}
    for _, old, new in pairs:
        for path in (old, new):
            by_text.setdefault(path.read_text(), path)
    unique = list(by_text.values())
    dmmf_of_text = dict(zip(by_text, dmmf_batch(unique), strict=True))
    models = {path: dmmf_of_text[path.read_text()] for _, old, new in pairs for path in (old, new)}
    compared, problems = 0, []
    for label, old, new in pairs:
        if models[old] is None or models[new] is None:
            continue
        compared += 1
        ours, theirs = our_changes(old, new), dmmf_changes(models[old], models[new])
        if kinds is not None:
            kinds.update(row[0] for row in ours)
        if ours != theirs:
            only_ours = [r for r in ours if r not in theirs]
            only_theirs = [r for r in theirs if r not in ours]
            problems.append(f"{label}: only ours {only_ours[:5]}, only Prisma's "
                            f"{only_theirs[:5]}")
    return compared, problems


# --- the tests ----------------------------------------------------------------------------------


def test_real_projects_history(dmmf_batch: Callable[[list[Path]], list[dict[str, Any] | None]],
                               tmp_path: Path) -> None:
    repos = [(HISTORY_DIR / name / "repo", path) for name, path in HISTORIES]
    present = [(repo, path) for repo, path in repos if repo.is_dir()]
    if not present:
        pytest.skip(f"SKIPPED LOUDLY: no git history of a real project under {HISTORY_DIR}")
    pairs = []
    for repo, path in present:
        versions = history_versions(repo, path)
        consecutive = list(zip(versions, versions[1:], strict=False))
        if HISTORY_PAIRS != "all":
            consecutive = consecutive[-int(HISTORY_PAIRS):]
        pairs += [pair_files(tmp_path, f"{repo.parent.name} {a}..{b}", old, new)
                  for (a, old), (b, new) in consecutive]
    compared, problems = compare_pairs(pairs, dmmf_batch)
    assert problems == []
    # the newest versions all parse; older ones may use what today's Prisma refuses (with
    # DRIFTWATCH_SCHEMA_HISTORY_PAIRS=all: 320 of 402 pairs compared, 2026-12-07)
    assert compared >= max(len(pairs) // 2, min(len(pairs), 25)), (
        f"Prisma accepted only {compared} of {len(pairs)}")


def test_edits_of_real_world_schemas(
        dmmf_batch: Callable[[list[Path]], list[dict[str, Any] | None]], shared_dir: Path,
        tmp_path: Path) -> None:
    pairs = []
    sources = {name: (shared_dir / "fixtures" / "real-world" / name / "schema.prisma").read_text()
               for name in REAL_WORLD}
    sources["seed"] = seed.SCHEMA_PATH.read_text()
    for name, text in sources.items():
        made = list(edits(text))
        if name in ("langfuse", "inbox-zero"):
            made = made[:BIG_EDITS]
        pairs += [pair_files(tmp_path, f"{name} {what}", text, edited) for what, edited in made]
        pairs += [pair_files(tmp_path, f"{name} back {what}", edited, text)
                  for what, edited in made[::3]]
    kinds: set[str] = set()
    compared, problems = compare_pairs(pairs, dmmf_batch, kinds)
    assert problems == []
    assert compared >= 80, f"Prisma accepted only {compared} of {len(pairs)} edits"
    assert set(CHANGE_KINDS) - kinds == {"enum_added", "enum_removed"}


def test_seed_versions_both_ways(
        dmmf_batch: Callable[[list[Path]], list[dict[str, Any] | None]]) -> None:
    pre = seed.PRE_INCIDENT_SCHEMA_PATH
    pairs = [("seed forward", pre, seed.SCHEMA_PATH), ("seed backward", seed.SCHEMA_PATH, pre)]
    compared, problems = compare_pairs(pairs, dmmf_batch)
    assert (compared, problems) == (2, [])
