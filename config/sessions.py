"""Django's database sessions, with the one read every page makes done in plain SQL.

Each signed-in request loads its session row before anything else. Building that ORM query
(a model, a lookup, a WHERE clause compiled anew every time) cost about three times what
running it did, on every page. This reads the same row of the same table under the same
rule (the key, and an expiry date still ahead) with a statement written once per database;
saving, expiring, deleting and clearing sessions are Django's own, unchanged.

Settings: SESSION_ENGINE = "config.sessions".
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

_statements: dict[str, str] = {}


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if not key:
            self._session_key = None
            return None
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        if alias not in _statements:
            meta, quote = self.model._meta, connection.ops.quote_name
            column = {name: quote(meta.get_field(name).column)
                      for name in ("session_key", "session_data", "expire_date")}
            _statements[alias] = (
                f"SELECT {column['session_data']} FROM {quote(meta.db_table)} "
                f"WHERE {column['session_key']} = %s AND {column['expire_date']} > %s")
        # The value the ORM would send for "now" (SQLite keeps naive UTC text, PostgreSQL a
        # timestamptz).
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_statements[alias], [key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=key, session_data=row[0])
