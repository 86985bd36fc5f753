"""docs/rules.md, the index of the business rules: every function it names
carries code, and every test it names exists."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "docs" / "rules.md"
CARRIER = re.compile(r"`([\w/]+\.py): ([\w.]+)`")
TEST = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def _rows() -> list[str]:
    return [line for line in RULES.read_text().splitlines()
            if line.startswith("| ") and not line.startswith("| rule") and not line.startswith("|---")]


def _defined(path: Path) -> set[str]:
    """Top-level functions, classes and names, and Class.method."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
            if isinstance(node, ast.ClassDef):
                names.update(f"{node.name}.{item.name}" for item in node.body
                             if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef))
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def test_every_rule_names_the_code_that_carries_it_and_a_test():
    rows = _rows()
    assert len(rows) > 50
    for row in rows:
        assert len(CARRIER.findall(row)) == 1, row
        assert len(TEST.findall(row)) == 1, row


def test_every_function_the_index_names_exists():
    missing = []
    for row in _rows():
        for path, name in CARRIER.findall(row):
            if not (ROOT / path).exists() or name not in _defined(ROOT / path):
                missing.append(f"{path}: {name}")
    assert missing == []


def test_every_test_the_index_names_exists():
    missing = []
    for row in _rows():
        for path, name in TEST.findall(row):
            if not (ROOT / path).exists() or name not in _defined(ROOT / path):
                missing.append(f"{path}::{name}")
    assert missing == []


def test_code_cites_the_rules_index_not_a_file_outside_the_repository():
    citing = []
    for app in ("accounts", "approvals", "complaints", "config", "dashboards", "demo", "escalation", "ops"):
        for path in (ROOT / app).rglob("*.py"):
            if "DOMAIN.md" in path.read_text():
                citing.append(str(path.relative_to(ROOT)))
    assert citing == []
