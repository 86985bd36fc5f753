"""Writing many rows at once."""

from django.db import connections


def update_rows(model, objs, fields: list[str], *, using: str = "default") -> None:
    """Save ``fields`` of many rows in one statement.

    Django's ``bulk_update`` builds a CASE WHEN per row and field; for 200
    cases and 10 fields that took most of a deadline sweep's time. On
    PostgreSQL this is one ``UPDATE … FROM (VALUES …)``; elsewhere (the
    embedded SQLite demo) it is ``bulk_update``.
    """
    if not objs:
        return
    connection = connections[using]
    if connection.vendor != "postgresql":
        model.objects.using(using).bulk_update(objs, fields)
        return
    qn = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    row = "(" + ", ".join([f"%s::{meta.pk.db_type(connection)}"]
                          + [f"%s::{field.db_type(connection)}" for field in columns]) + ")"
    params = []
    for obj in objs:
        params.append(obj.pk)
        params += [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns]
    assignments = ", ".join(f"{qn(field.column)} = v.{qn(field.column)}" for field in columns)
    names = ", ".join(["pk_", *(qn(field.column) for field in columns)])
    sql = (f"UPDATE {qn(meta.db_table)} AS t SET {assignments} "  # noqa: S608 (names are the model's own)
           f"FROM (VALUES {', '.join([row] * len(objs))}) AS v({names}) WHERE t.{qn(meta.pk.column)} = v.pk_")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
