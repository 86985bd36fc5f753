"""The demo's server keeps Django's debug page on this machine (issue 15, item 12):
with DEBUG on it refuses any address beyond loopback."""

import pytest
from django.core.management import CommandError, call_command

from ops.management.commands.runserver import is_loopback


@pytest.mark.parametrize("address", ["0.0.0.0:8000", "192.168.1.20:8000", "[::]:8000", "office-pc:8000"])
def test_with_debug_on_the_server_refuses_an_address_beyond_loopback(settings, address):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="127.0.0.1"):
        call_command("runserver", address, use_reloader=False, skip_checks=True)


def test_with_debug_off_an_office_address_is_allowed(settings, monkeypatch):
    from django.contrib.staticfiles.management.commands.runserver import Command as Django

    started = []
    monkeypatch.setattr(Django, "run", lambda self, **options: started.append(self.addr))
    settings.DEBUG = False
    call_command("runserver", "0.0.0.0:8000", use_reloader=False, skip_checks=True)
    assert started == ["0.0.0.0"]


@pytest.mark.parametrize("address, loopback", [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True),
                                               ("localhost", True), ("0.0.0.0", False), ("::", False),
                                               ("10.0.0.5", False), ("example.com", False)])
def test_loopback_addresses(address, loopback):
    assert is_loopback(address) is loopback
