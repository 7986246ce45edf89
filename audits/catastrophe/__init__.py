"""The catastrophe watch: every audit also reads the database's vital signs (catalog figures,
never user rows) and compares them with the last healthy ones; a wiped or reset database opens
(or, while it is open, adds to) a SEV1 incident linked to the target, and is alerted through
the target's channels. Reacts to the audit-finished event; the audit flow never calls it."""
