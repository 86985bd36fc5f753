"""Full-text search in Chinese on PostgreSQL (issue 19, complaints/search.py).

A side table (created on SQLite too, where it stays empty) holds each case's ``tsvector``: the words of its texts (as the
'simple' configuration splits them), every overlapping pair of Chinese
characters of each run of them (bigrams, so a Chinese word is found anywhere
in a sentence as the phrase of its bigrams), and each tail of 4 or more digits
of the case number (so any part of the number is a prefix of one). A trigger
keeps it: on every new case, and on an update only when a searched text
changed (the sweep's and the workflow's other updates cost nothing). A GIN
index answers the queries. SQLite scans the texts instead (nothing here).
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import migrations, models

CHINESE_RUN = r"[\u3400-\u9fff]{2,}"
# How much of a weight's texts is indexed: three texts of COMPLAINT_TEXT_MAX_CHARS (4000) and
# more, well inside PostgreSQL's 1 MB tsvector and its 16,383 positions.
TEXT_INDEXED = 12000
WEIGHTS = {
    "A": ("reason", "issue_tag", "product_ref", "complainant_name"),
    "B": ("request", "narrative"),
    "C": ("remedy", "resolution", "root_cause"),
}
SEARCHED = [column for columns in WEIGHTS.values() for column in columns] + ["number"]


def _weighted(weight, columns):
    text = "concat_ws(' ', " + ", ".join(f"c.{column}" for column in columns) + ")"
    # Words of letters and digits, split at - _ . / and the like (POL-88231 is pol and 88231) as the
    # query splits them; Chinese is indexed by its bigrams only (a whole run of it is never searched).
    words = f"translate(regexp_replace(left({text}, {TEXT_INDEXED}), '{CHINESE_RUN[:-4]}+', ' ', 'g'), '-_./\\:@#+', '         ')"
    return (f"setweight(to_tsvector('simple', {words}) || "
            f"to_tsvector('simple', complaint_bigrams({text})), '{weight}')")


# PL/pgSQL rather than SQL functions: the trigger calls them once per row, and PL/pgSQL keeps
# their plans for the session where an SQL function with a FROM is planned again at every call
# (measured: 0.5-2.6 ms more per intake).
STATEMENTS = [
    # Pairs within a run of Chinese only; "x" (a word never searched: one letter) stands between
    # runs and at the end, so that the last pair of one run and the first of the next are never
    # neighbours (理财，财产 is not 理财产). A text is read up to its first TEXT_INDEXED characters.
    f"""
CREATE OR REPLACE FUNCTION complaint_bigrams(t text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN (
    SELECT coalesce(string_agg(pairs, ' x ' ORDER BY n) || ' x', '')
    FROM (SELECT m.n, string_agg(substr(m.run[1], i, 2), ' ' ORDER BY i) AS pairs
          FROM regexp_matches(left(coalesce(t, ''), {TEXT_INDEXED}), '{CHINESE_RUN}', 'g') WITH ORDINALITY AS m(run, n),
               generate_series(1, char_length(m.run[1]) - 1) AS i
          GROUP BY m.n) AS runs);
END $$""",
    """
CREATE OR REPLACE FUNCTION complaint_number_tails(number text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE d text := regexp_replace(coalesce(number, ''), '[^0-9]', '', 'g'); result text := ''; i int;
BEGIN
  FOR i IN 1 .. char_length(d) - 3 LOOP
    result := result || 'n' || substr(d, i) || ' ';
  END LOOP;
  RETURN result;
END $$""",
    f"""
CREATE OR REPLACE FUNCTION complaint_search_vector(c complaints_complaint) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN {' || '.join(_weighted(w, cols) for w, cols in WEIGHTS.items())}
         || to_tsvector('simple', complaint_number_tails(c.number));
END $$""",
    """
CREATE OR REPLACE FUNCTION complaint_search_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO complaints_searchdocument (complaint_id, vector) VALUES (NEW.id, complaint_search_vector(NEW))
  ON CONFLICT (complaint_id) DO UPDATE SET vector = EXCLUDED.vector;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER search_added AFTER INSERT ON complaints_complaint FOR EACH ROW "
    "EXECUTE FUNCTION complaint_search_keep()",
    "CREATE TRIGGER search_changed AFTER UPDATE ON complaints_complaint FOR EACH ROW WHEN ("
    + " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in SEARCHED)
    + ") EXECUTE FUNCTION complaint_search_keep()",
    "INSERT INTO complaints_searchdocument (complaint_id, vector) "
    "SELECT c.id, complaint_search_vector(c) FROM complaints_complaint c ON CONFLICT DO NOTHING",
    "CREATE INDEX IF NOT EXISTS complaints_search_idx ON complaints_searchdocument USING gin (vector)",
]
DROPS = [
    "DROP TRIGGER IF EXISTS search_added ON complaints_complaint",
    "DROP TRIGGER IF EXISTS search_changed ON complaints_complaint",
    "DROP FUNCTION IF EXISTS complaint_search_keep()",
    "DROP FUNCTION IF EXISTS complaint_search_vector(complaints_complaint)",
    "DROP FUNCTION IF EXISTS complaint_number_tails(text)",
    "DROP FUNCTION IF EXISTS complaint_bigrams(text)",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in STATEMENTS:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROPS:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0018_category_notify_role_choice")]
    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("complaint", models.OneToOneField(db_constraint=False, on_delete=models.deletion.DO_NOTHING,
                                                   primary_key=True, related_name="search_document", serialize=False,
                                                   to="complaints.complaint")),
                ("vector", SearchVectorField()),
            ],
            options={"db_table": "complaints_searchdocument"},
        ),
        migrations.RunPython(create, drop),
    ]
