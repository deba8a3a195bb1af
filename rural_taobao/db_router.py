"""Dashboard reads on a read replica, when one is configured.

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database and this router.
Views that only read (dashboards, county profiles, exports, their API twins) run inside
``reads_from_replica()`` — usually through the ``@replica_reads`` decorator — and then
their reads of the product's own tables go to the replica. Everything else, and every
write anywhere, uses ``default``: login, sessions and permissions are always read from
the primary, so a replica's lag never logs anybody in or out.

Without a ``replica`` database the router answers ``None`` and Django uses ``default``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_DB_ALIAS = "replica"
# The apps whose tables dashboards read: rollups, county metadata, partners, categories.
REPLICA_APPS = frozenset({"counties", "partners", "orders", "analytics"})

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA_DB_ALIAS in connections.settings


def replica_reads_active() -> bool:
    """Whether this block's reads of the product's tables go to the replica. Who may see
    what (county assignments) must then be read from the primary explicitly: a removed
    assignment has to stop serving at once, not when the replica catches up."""
    return _replica_reads.get() and replica_configured()


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Inside this block, reads of the product's tables go to the replica (if any)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_reads(view):
    """Run a read-only view with its reads on the replica."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        with reads_from_replica():
            return view(*args, **kwargs)

    return wrapped


class ReplicaRouter:
    """Reads inside ``reads_from_replica()`` → replica; all writes → default."""

    def db_for_read(self, model, **hints):
        if _replica_reads.get() and model._meta.app_label in REPLICA_APPS and replica_configured():
            return REPLICA_DB_ALIAS
        return None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary: objects from either may relate.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica is migrated by replication, never by Django.
        return db != REPLICA_DB_ALIAS
