"""Database triggers that note every case whose figures may have changed
(dashboards.models.FigureChange), for the roll-ups' fold (dashboards/rollups.py).

Triggers rather than signals: the sweep and other services write with
``update()``, which sends no signal, and a trigger costs the intake no Python.
Each note is a new row (no shared row is updated), so concurrent intakes never
wait for each other. The rows watched are the case and the rows its figures
read: revisits and time in state (history), promises (contact attempts),
decision notices, reviews and accountability records (a row moved to another
case notes both cases).
"""

from django.db import migrations

CHANGES = "dashboards_figurechange"
# (table, the condition an inserted row must meet to matter, or None)
ROWS = [
    ("complaints_historyentry", "NEW.transition = 'revisit' OR NEW.seconds_in_from_state IS NOT NULL"),
    ("complaints_contactattempt", None),
    ("complaints_notice", "NEW.kind = 'decision'"),
    ("complaints_review", None),
    ("dashboards_accountabilityrecord", None),
]


def _postgresql():
    yield f"""
CREATE OR REPLACE FUNCTION figures_case_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO {CHANGES} (complaint_id) VALUES (NEW.id);
  ELSE
    INSERT INTO {CHANGES} (complaint_id, org_unit_id, received_at) VALUES (OLD.id, OLD.org_unit_id, OLD.received_at);
  END IF;
  RETURN NULL;
END $$"""
    yield f"""
CREATE OR REPLACE FUNCTION figures_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO {CHANGES} (complaint_id) VALUES (OLD.complaint_id);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.complaint_id IS DISTINCT FROM OLD.complaint_id) THEN
    INSERT INTO {CHANGES} (complaint_id) VALUES (NEW.complaint_id);
  END IF;
  RETURN NULL;
END $$"""
    yield ("CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE ON complaints_complaint "
           "FOR EACH ROW EXECUTE FUNCTION figures_case_changed()")
    for table, when in ROWS:
        yield (f"CREATE TRIGGER figures_added AFTER INSERT ON {table} FOR EACH ROW "
               f"{f'WHEN ({when}) ' if when else ''}EXECUTE FUNCTION figures_row_changed()")
        yield (f"CREATE TRIGGER figures_changed AFTER UPDATE OR DELETE ON {table} FOR EACH ROW "
               "EXECUTE FUNCTION figures_row_changed()")


def _sqlite():
    case = "complaints_complaint"
    yield f"CREATE TRIGGER figures_case_added AFTER INSERT ON {case} BEGIN " \
          f"INSERT INTO {CHANGES} (complaint_id) VALUES (NEW.id); END"
    for event in ("UPDATE", "DELETE"):
        yield (f"CREATE TRIGGER figures_case_{event.lower()} AFTER {event} ON {case} BEGIN "
               f"INSERT INTO {CHANGES} (complaint_id, org_unit_id, received_at) "
               "VALUES (OLD.id, OLD.org_unit_id, OLD.received_at); END")
    for table, when in ROWS:
        yield (f"CREATE TRIGGER figures_{table}_added AFTER INSERT ON {table} "
               f"{f'WHEN {when} ' if when else ''}BEGIN INSERT INTO {CHANGES} (complaint_id) "
               "VALUES (NEW.complaint_id); END")
        yield (f"CREATE TRIGGER figures_{table}_update AFTER UPDATE ON {table} BEGIN "
               f"INSERT INTO {CHANGES} (complaint_id) VALUES (OLD.complaint_id); "
               f"INSERT INTO {CHANGES} (complaint_id) SELECT NEW.complaint_id "
               "WHERE NEW.complaint_id IS NOT OLD.complaint_id; END")
        yield (f"CREATE TRIGGER figures_{table}_delete AFTER DELETE ON {table} BEGIN "
               f"INSERT INTO {CHANGES} (complaint_id) VALUES (OLD.complaint_id); END")


def _drops(vendor):
    tables = ["complaints_complaint", *(table for table, _ in ROWS)]
    if vendor == "postgresql":
        for table in tables:
            yield f"DROP TRIGGER IF EXISTS figures_changed ON {table}"
            yield f"DROP TRIGGER IF EXISTS figures_added ON {table}"
        yield "DROP FUNCTION IF EXISTS figures_case_changed()"
        yield "DROP FUNCTION IF EXISTS figures_row_changed()"
    elif vendor == "sqlite":
        for name in ("added", "update", "delete"):
            yield f"DROP TRIGGER IF EXISTS figures_case_{name}"
            for table, _ in ROWS:
                yield f"DROP TRIGGER IF EXISTS figures_{table}_{name}"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": _postgresql, "sqlite": _sqlite}.get(vendor)
    if statements is None:
        raise RuntimeError(f"The roll-ups' triggers are written for PostgreSQL and SQLite, not {vendor}.")
    for sql in statements():
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for sql in _drops(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0004_rollups"),
        ("complaints", "0018_category_notify_role_choice"),
    ]
    operations = [migrations.RunPython(create, drop)]
