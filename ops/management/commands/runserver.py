"""runserver (the demo's web server, scripts/run) that keeps Django's debug page
on this machine: with DEBUG on, any server error shows the settings and the
traceback to whoever sees the page, so it listens on loopback only. Serving the
office network is production (DJANGO_DEBUG=false, README "Production")."""

import ipaddress

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as StaticfilesRunserver
from django.core.management.base import CommandError


def is_loopback(address: str) -> bool:
    if address in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


class Command(StaticfilesRunserver):
    def run(self, **options):
        if settings.DEBUG and not is_loopback(self.addr):
            raise CommandError(
                f"DJANGO_DEBUG is on, so the server listens on 127.0.0.1 only, not {self.addr}: its debug "
                "page would show the settings and every error's traceback to the whole network. "
                "调试模式（DJANGO_DEBUG=true）只允许在本机 127.0.0.1 上运行；对办公网络提供服务请按 README "
                "“Production”一节以 DJANGO_DEBUG=false 启动。")
        super().run(**options)
