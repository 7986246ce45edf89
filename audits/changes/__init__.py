"""The mobile team's change guide and error decoder for registered targets: the Changes page
between two schema versions (stored ones, or git revisions of the schema path), its Markdown
export, the paste box that decodes an error against the last audit, and their JSON API.
Reads only; no models of its own (schema versions, audits and endpoints are stored by the
features that make them)."""
