"""A case's words as PostgreSQL indexes them for search (complaints/search.py)."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    """Kept by a database trigger (migration 0019) on PostgreSQL; never written by
    Django, and empty on SQLite, where search scans the texts."""

    complaint = models.OneToOneField("complaints.Complaint", primary_key=True, on_delete=models.DO_NOTHING,
                                     related_name="search_document", db_constraint=False)
    vector = SearchVectorField()

    class Meta:
        db_table = "complaints_searchdocument"


class Likeness(models.Model):
    """The sketch of a case's texts (complaints/likeness.py), written with the case
    at intake: what the similar complaints of a case and the near-duplicates of
    a day are found by, without reading and cutting up every text again."""

    complaint = models.OneToOneField("complaints.Complaint", primary_key=True, on_delete=models.CASCADE,
                                     related_name="likeness")
    sketch = models.BinaryField()
    # When the near-duplicate check ran (complaints/services/grouping.py); null: still to run.
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "complaints_likeness"
        indexes = [models.Index(fields=["complaint"], name="likeness_unchecked",
                                condition=models.Q(checked_at__isnull=True))]


class LikenessWeights(models.Model):
    """How many of a sample of recent complaints each token is found in: the
    weights of complaints/likeness.py, learnt by ``grouping.learn_weights``
    (one row, replaced each time)."""

    learnt_at = models.DateTimeField()
    cases = models.IntegerField()  # the sample's size
    # (token hash, complaints) pairs as 4-byte little-endian words, for the tokens found twice or more.
    counts = models.BinaryField()

    class Meta:
        db_table = "complaints_likenessweights"
