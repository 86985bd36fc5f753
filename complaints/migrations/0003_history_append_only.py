"""On PostgreSQL the database itself refuses to change or delete history rows,
so not even a bulk ``QuerySet.update()`` or a stray SQL session can rewrite the
record (docs/rules.md §6: the history is never edited). TRUNCATE, which only a
database owner runs, is not a row change and stays possible for test teardown.
On SQLite (the demo) the model refuses updates and deletes."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION complaints_history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'complaint history is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER complaints_history_no_change
    BEFORE UPDATE OR DELETE ON complaints_historyentry
    FOR EACH ROW EXECUTE FUNCTION complaints_history_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS complaints_history_no_change ON complaints_historyentry;
DROP FUNCTION IF EXISTS complaints_history_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_taxonomy")]
    operations = [migrations.RunPython(forward, backward)]
