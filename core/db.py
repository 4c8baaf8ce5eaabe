"""Statistics after bulk writes.

PostgreSQL plans from the statistics ``ANALYZE`` gathers. A bulk path that fills a table with
thousands of rows leaves them stale until autovacuum notices, which takes minutes on a busy
server and never happens where autovacuum is off (these machines): the dashboard took 1.7 s on
20,000 freshly loaded villages and 0.21 s after one ``ANALYZE``. PostgreSQL's guide to
populating a database says to run it after a load; every bulk path calls ``analyze`` on what
it filled (README, "Performance").
"""

from django.db import connection
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
