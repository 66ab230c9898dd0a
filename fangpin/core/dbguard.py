"""Keeps the audit table append-only at the database level.

PostgreSQL and SQLite triggers (migration core 0002) refuse UPDATE, DELETE
and TRUNCATE of the audit log unless the session opened the guard on purpose:
only the retention purge (`fangpin audit purge`) and the test harness's table
flush do.  On SQLite the trigger calls a function that exists only in
fangpin's own connections, so a connection without it (the sqlite3 shell,
another program) cannot change the log either.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.backends.signals import connection_created

_state = threading.local()
# Set by the test harness only: Django's test teardown empties every table.
ALWAYS_OPEN = False


def _is_open() -> int:
    return 1 if (ALWAYS_OPEN or getattr(_state, "open", False)) else 0


def _on_connect(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("fangpin_audit_open", 0, _is_open, deterministic=False)
    elif connection.vendor == "postgresql" and ALWAYS_OPEN:
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('fangpin.audit_open', 'on', false)")


def install() -> None:
    connection_created.connect(_on_connect, dispatch_uid="fangpin-audit-guard")


@contextmanager
def audit_guard_open() -> Iterator[None]:
    """Open the guard for this thread's connection, for the retention purge only."""
    _state.open = True
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT set_config('fangpin.audit_open', 'on', true)")
        yield
    finally:
        _state.open = False
