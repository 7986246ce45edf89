"""The API change guide: what changed between two versions of a schema.prisma, how much each
change matters to an API consumer (breaking, risky, safe), and which endpoints it affects.

``schema_changes(old, new)`` compares two parsed schemas (``audits.engine.prisma``: the one
parser); ``change_guide(old, new, code_dir)`` adds the endpoints from the endpoint scanner;
``guide_to_dict``/``guide_to_text``/``guide_to_markdown`` render the result.
"""

from audits.engine.changes.diff import (
    CHANGE_KINDS,
    IMPACTS,
    Change,
    changes_between,
    schema_changes,
)
from audits.engine.changes.facts import SchemaFacts, schema_facts
from audits.engine.changes.guide import (
    change_guide,
    guide_to_dict,
    guide_to_markdown,
    guide_to_text,
    scan_both,
    with_endpoints,
)

__all__ = [
    "CHANGE_KINDS",
    "IMPACTS",
    "Change",
    "SchemaFacts",
    "change_guide",
    "changes_between",
    "guide_to_dict",
    "guide_to_markdown",
    "guide_to_text",
    "scan_both",
    "schema_changes",
    "schema_facts",
    "with_endpoints",
]
