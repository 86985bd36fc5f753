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
