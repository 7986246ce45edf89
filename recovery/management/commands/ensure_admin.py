"""Create the first administrator, once: `manage.py ensure_admin` (docker compose runs it on
every start of the web container).

The password is DRIFTWATCH_ADMIN_PASSWORD when set (checked by the password validators), else a
random one printed this once, so no deployment starts with a published login. When a superuser
already exists nothing changes (not even the password), so running it again is harmless.
"""

from __future__ import annotations

import os
import secrets

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

PASSWORD_ENV = "DRIFTWATCH_ADMIN_PASSWORD"
USERNAME_ENV = "DRIFTWATCH_ADMIN_USERNAME"
EMAIL_ENV = "DRIFTWATCH_ADMIN_EMAIL"


class Command(BaseCommand):
    help = ("Create the first superuser from DRIFTWATCH_ADMIN_PASSWORD, or with a random password "
            "printed once; does nothing when a superuser exists.")

    def handle(self, *args: object, **options: object) -> None:
        username = os.environ.get(USERNAME_ENV, "").strip() or "admin"
        existing = User.objects.filter(is_superuser=True).order_by("id").first()
        if existing is not None:
            self.stdout.write(f"A superuser exists ({existing.username}): nothing to do.")
            return
        given = os.environ.get(PASSWORD_ENV, "")
        password = given or secrets.token_urlsafe(18)
        user = User(username=username, email=os.environ.get(EMAIL_ENV, "").strip(),
                    is_staff=True, is_superuser=True)
        if given:
            try:
                validate_password(given, user)
            except ValidationError as exc:
                raise CommandError(f"{PASSWORD_ENV} is refused: {' '.join(exc.messages)}") from exc
        user.set_password(password)
        try:
            with transaction.atomic():
                if User.objects.filter(username=username).exists():
                    raise CommandError(
                        f"A user named {username!r} exists but is not a superuser; set "
                        f"{USERNAME_ENV} to another name or promote it with `manage.py shell`."
                    )
                user.save()
        except IntegrityError:
            # Another container created it between the check and the insert.
            self.stdout.write(f"A superuser exists ({username}): nothing to do.")
            return
        if given:
            self.stdout.write(
                f"Created superuser {username} with the password from {PASSWORD_ENV}.")
        else:
            self.stdout.write(
                f"Created superuser {username} with password: {password}\n"
                "This is the only time it is shown: log in and change it, or set "
                f"{PASSWORD_ENV} before the first start."
            )
