from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Schema audits"

    def ready(self) -> None:
        # Hooks into recovery's registries: recovery stays unaware of audits.
        from recovery.demo import register_demo_loader
        from recovery.postmortem import register_section

        from .demo import load_demo_migration_sql, load_demo_targets
        from .history import deployment_section
        from .postmortem import drift_section

        register_demo_loader(load_demo_migration_sql)  # first: later loaders see the real SQL
        register_demo_loader(load_demo_targets)
        from .endpoints import load_demo_endpoints  # after the targets exist (issue 5)

        register_demo_loader(load_demo_endpoints)
        register_section(drift_section)
        register_section(deployment_section)
