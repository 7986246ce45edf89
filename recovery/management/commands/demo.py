from django.core.management.base import BaseCommand

from recovery.demo import DEMO_USERS, demo_loaders, load_seed_incident


class Command(BaseCommand):
    help = "Load the seed incident, demo users, and every app's registered demo data (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        incident = load_seed_incident()
        self.stdout.write(f"Demo incident: {incident.title} (/incidents/{incident.slug}/)")
        for loader in demo_loaders():
            loader(incident)
            name = getattr(loader, "__qualname__", repr(loader))
            self.stdout.write(f"Demo loader {loader.__module__}.{name}: done")
        # Usernames only: passwords stay out of logs (bin/start and the README give them).
        roles = ", ".join(f"{user} ({group or 'superuser'})" for user, _, group, _ in DEMO_USERS)
        self.stdout.write(f"Demo users: {roles}")
