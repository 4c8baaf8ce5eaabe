import io

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker) -> str:
    """The default demo data set (2,000 villages), loaded once for a module and flushed after.

    Tests use it together with ``db``: each runs in a transaction rolled back to this state.
    Returns the freshly migrated database, serialized: rows that data migrations seed (problem
    types, say) are put back after the flush, as Django's own serialized rollback does.
    """
    with django_db_blocker.unblock():
        migrated = connection.creation.serialize_db_to_string()
        call_command("load_demo", stdout=io.StringIO())
        yield migrated
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
        connection.creation.deserialize_db_from_string(migrated)
