"""What the complaints app tells the apps that build on it, without importing them.

``case_archived`` is sent inside the archive's transaction with the case (its
root cause and rectification measure set) and who archived it: the prevention
loop (dashboards.prevention) opens or links a rectification item from it."""

from django.dispatch import Signal

case_archived = Signal()
