from django.core.management.base import BaseCommand

from accounts.services import roles_sync


class Command(BaseCommand):
    help = "Create the role groups and give them their permissions (safe to run again; run after migrate)."

    def handle(self, *args, **options):
        roles_sync()
        self.stdout.write("Role groups and permissions are up to date.")
