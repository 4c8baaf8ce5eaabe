"""Score rows into the score table in bulk: ``COPY`` on PostgreSQL, a prepared ``INSERT`` run by
``executemany`` elsewhere. The import streams its own rows this way; the demo and the entry form
write through ``write_score_rows``."""

from collections.abc import Iterable
from decimal import Decimal

from django.db import connection

from earlywarning.models.evaluations import IndicatorScore

COPY_CHUNK = 1 << 20
BULK_BATCH = 5000


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


class _ChunkStream:
    """A read()-able view of a text generator, for psycopg2's copy_expert.

    An exception raised by the generator (a file that turns out unreadable half-way) would reach
    PostgreSQL as a cancelled COPY; it is kept instead, the COPY ends, and it is raised after.
    """

    def __init__(self, chunks: Iterable[str]):
        self._chunks = iter(chunks)
        self.error: Exception | None = None

    def read(self, size: int = -1) -> str:
        parts, length = [], 0
        try:
            for chunk in self._chunks:
                parts.append(chunk)
                length += len(chunk)
                if 0 < size <= length:
                    break
        except Exception as error:  # re-raised by copy_rows once the COPY has ended
            self.error = error
            return ""
        return "".join(parts)

    def readline(self, size: int = -1) -> str:
        return self.read(size)


def copy_rows(table: str, columns: Iterable[str], chunks: Iterable[str]) -> None:
    """COPY tab-separated text lines into ``table`` on PostgreSQL."""
    quote = connection.ops.quote_name
    sql = (f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) "
           "FROM STDIN WITH (FORMAT text)")
    stream = _ChunkStream(chunks)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, stream, size=COPY_CHUNK)
    if stream.error is not None:
        raise stream.error


def write_score_rows(rows: Iterable[tuple[int, int, Decimal, Decimal]]) -> int:
    """Insert (evaluation_id, indicator_id, value, max_score) rows into partition 0, where
    scores written outside an import's own partition live: COPY, else executemany.

    The bulk path for callers that already know the evaluation ids (demo data, the entry form).
    """
    count = 0
    columns = ["evaluation_id", "indicator_id", "value", "max_score", "part"]
    if is_postgres():
        tail = "\t0\n"

        def lines():
            nonlocal count
            batch = []
            for evaluation_id, indicator_id, value, max_score in rows:
                batch.append(f"{evaluation_id}\t{indicator_id}\t{value}\t{max_score}{tail}")
                if len(batch) >= 10000:
                    count += len(batch)
                    yield "".join(batch)
                    batch = []
            count += len(batch)
            yield "".join(batch)

        copy_rows(IndicatorScore._meta.db_table, columns, lines())
        return count
    # Elsewhere (SQLite in development): one prepared INSERT run by executemany in batches.
    # bulk_create spent nine tenths of its time building and preparing model instances.
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(IndicatorScore._meta.db_table)} ({', '.join(columns)}) "
           "VALUES (%s, %s, %s, %s, %s)")
    batch = []
    with connection.cursor() as cursor:
        for evaluation_id, indicator_id, value, max_score in rows:
            batch.append((evaluation_id, indicator_id, str(value), str(max_score), 0))
            if len(batch) >= BULK_BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
    return count + len(batch)
