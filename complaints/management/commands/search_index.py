import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from complaints.models import Complaint

BATCH = 50_000


class Command(BaseCommand):
    help = ("Write every case's search document again (PostgreSQL; complaints/search.py), e.g. after a "
            "bulk load with the triggers off. The trigger keeps them current otherwise.")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("Search documents are kept on PostgreSQL only; SQLite scans the texts.")
            return
        started, done, after = time.monotonic(), 0, 0
        last = Complaint.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        while after < last:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO complaints_searchdocument (complaint_id, vector) "
                    "SELECT c.id, complaint_search_vector(c) FROM complaints_complaint c "
                    "WHERE c.id > %s AND c.id <= %s "
                    "ON CONFLICT (complaint_id) DO UPDATE SET vector = EXCLUDED.vector", [after, after + BATCH])
                done += cursor.rowcount
            after += BATCH
        self.stdout.write(f"Search documents written for {done} cases in {time.monotonic() - started:.1f} s.")
