"""The drills run against the cluster that ``scripts/cluster drills`` starts (and stops):
real processes on this machine, reached over HTTP, psql and signals. They use no test
database of their own, so the suite's database fixtures are switched off here."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))

import cluster as layout  # noqa: E402

import bench  # noqa: E402


@pytest.fixture(autouse=True)
def _roles():
    """(The suite's role set-up writes to a test database; the drills have none.)"""


@pytest.fixture(autouse=True)
def clock():
    """(The drills run on the real clock: every process of the cluster does.)"""


@pytest.fixture(scope="session")
def cluster():
    parts = layout.started()
    if not parts or layout.get(layout.BASE + "/healthz?check=database")[0] != 200:
        pytest.fail("The cluster is not running: the drills run with `scripts/cluster drills`.")
    return layout


@pytest.fixture(scope="session")
def api(cluster):
    """API clients through nginx, by user name."""
    made = {}

    def client(username="handler_gd"):
        if username not in made:
            made[username] = bench.ApiClient(cluster.BASE, username)
        return made[username]

    return client


@pytest.fixture(scope="session")
def staff(cluster):
    """Signed-in browser sessions through nginx, by user name."""
    made = {}

    def session(username):
        if username not in made:
            made[username] = bench.Staff(cluster.BASE, username)
        return made[username]

    return session
