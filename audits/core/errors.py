"""The error a target's configuration raises (re-exported by audits.core.credentials)."""


class TargetConfigError(Exception):
    """The target's settings do not allow an audit (no DSN, no schema...)."""
