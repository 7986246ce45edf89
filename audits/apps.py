from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Schema audits"

    def ready(self) -> None:
        # The composition root: the one place that wires the features together. Features react
        # to an audit through the audit-finished event and add to recovery's registries, so
        # neither the audit service nor recovery imports them.
        from audits import demo
        from audits import tasks as _tasks  # noqa: F401  registers every feature's Celery tasks
        from audits.alerts import services as alerts
        from audits.catastrophe import services as catastrophe
        from audits.core.events import audit_finished
        from audits.endpoints import services as endpoints
        from audits.history import services as history
        from audits.targets.postmortem import drift_section
        from recovery.postmortem import register_section

        # in this order: the alert's timeline entry first, then verdicts, then the history,
        # then the catastrophe watch (its own SEV1 incident and alert)
        audit_finished.connect(alerts.on_audit_finished, dispatch_uid="audits.alerts")
        audit_finished.connect(endpoints.on_audit_finished, dispatch_uid="audits.endpoints")
        audit_finished.connect(history.on_audit_finished, dispatch_uid="audits.history")
        audit_finished.connect(catastrophe.on_audit_finished, dispatch_uid="audits.catastrophe")
        register_section(drift_section)
        register_section(history.deployment_section)
        demo.register()
