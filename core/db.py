"""Statistics after bulk writes, and the router that sends reads to a replica.

PostgreSQL plans from the statistics ``ANALYZE`` gathers. A bulk path that fills a table with
thousands of rows leaves them stale until autovacuum notices, which takes minutes on a busy
server and never happens where autovacuum is off (these machines): the dashboard took 1.7 s on
20,000 freshly loaded villages and 0.21 s after one ``ANALYZE``. PostgreSQL's guide to
populating a database says to run it after a load; every bulk path calls ``analyze`` on what
it filled (README, "Performance").
"""

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model


def analyze(*tables: type[Model] | str) -> None:
    """``ANALYZE`` the tables of these models (or these table names) on PostgreSQL.

    Elsewhere (SQLite in development) it does nothing: SQLite plans well enough without.
    Inside a transaction it sees that transaction's own rows, so a bulk path can call it before
    it commits. A partitioned table is analysed with all its partitions.
    """
    if connection.vendor != "postgresql" or not tables:
        return
    names = sorted({table if isinstance(table, str) else table._meta.db_table
                    for table in tables})
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(quote(name) for name in names)}")


class ReplicaRouter:
    """Reads go to the ``replica`` alias (a streaming replica of the primary); writes, and every
    read inside a transaction on the primary, go to ``default``.

    A read inside ``transaction.atomic()`` is part of a write (the domain functions check and
    then write in one transaction), so it must see the primary's rows, including the ones it
    just wrote. Migrations run on the primary only; the replica follows by replication.
    """

    def db_for_read(self, model, **hints):
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return "replica"

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows, whichever alias read them

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
