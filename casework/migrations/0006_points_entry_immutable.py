"""PostgreSQL refuses any UPDATE or DELETE of a points entry: the ledger is append-only, and a
correction is a reversing entry (casework/points.py). Row triggers do not fire on TRUNCATE, so
``flush`` (tests, restore) still empties the table.

SQLite gets no trigger: the development database relies on the code paths alone (the model and
its queryset refuse, the admin is read-only, no view or API changes an entry)."""

from django.db import migrations

CREATE = """
CREATE FUNCTION casework_points_entry_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'points entry % is never changed or deleted; record a reversing entry',
        OLD.id USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER casework_points_entry_immutable
    BEFORE UPDATE OR DELETE ON casework_pointsentry
    FOR EACH ROW EXECUTE FUNCTION casework_points_entry_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS casework_points_entry_immutable ON casework_pointsentry;
DROP FUNCTION IF EXISTS casework_points_entry_immutable();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # No parameters: the trigger text has a % placeholder of its own (RAISE).
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("casework", "0005_points_ledger"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger),
    ]
