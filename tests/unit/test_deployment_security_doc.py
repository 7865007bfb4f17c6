"""docs/deployment-security.md stays true: every test it names (`tests/…py::test_…`, or a test file) exists, every
item of its tables names a proof, and every setting it names is one the code reads or a file of the kit."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "deployment-security.md"
NAMED = re.compile(r"`(tests/[\w/]+\.py)(?:::(test_\w+))?`|`::(test_\w+)`")


def functions_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def named_tests(text: str) -> list[tuple[str, str | None]]:
    """(file, test) pairs as the document names them; a bare `::test_x` belongs to the file named before it in
    the same table row."""
    found: list[tuple[str, str | None]] = []
    for line in text.splitlines():
        last_file: str | None = None
        for match in NAMED.finditer(line):
            path, test, bare = match.groups()
            if path:
                last_file = path
                found.append((path, test))
            else:
                assert last_file, f"`::{bare}` without a file before it: {line[:80]}"
                found.append((last_file, bare))
    return found


def test_every_test_the_document_names_exists() -> None:
    pairs = named_tests(DOC.read_text(encoding="utf-8"))
    assert len(pairs) > 40
    missing = []
    for path, test in pairs:
        file = ROOT / path
        if not file.is_file():
            missing.append(path)
        elif test and test not in functions_of(file):
            missing.append(f"{path}::{test}")
    assert not missing, f"docs/deployment-security.md names tests that do not exist: {missing}"


def _rows(text: str) -> list[str]:
    return [
        line
        for line in text.splitlines()
        if line.startswith("|") and not line.startswith("|---") and not line.startswith(("| requirement", "| area"))
    ]


def test_every_requirement_names_its_proof() -> None:
    """Part 1 (the application): a test or a setting in backticks; Part 2 (the operator): what to show."""
    application, operator = DOC.read_text(encoding="utf-8").split("## Part 2", 1)
    assert len(_rows(application)) > 35 and len(_rows(operator)) > 8
    for part, rows in (("application", _rows(application)), ("operator", _rows(operator))):
        for row in rows:
            proof = row.rstrip("|").rsplit("|", 1)[1].strip()
            assert proof, f"no proof: {row[:80]}"
            if part == "application":
                assert "`tests/" in proof or "`::" in proof or "setting" in proof, f"no test or setting: {row[:80]}"


def test_the_settings_it_names_are_read_by_the_code_or_are_kit_files() -> None:
    text = DOC.read_text(encoding="utf-8")
    config = (ROOT / "backend" / "config.py").read_text(encoding="utf-8")
    for name in set(re.findall(r"\bDUDAO_[A-Z_]+\b", text)):
        assert f'"{name}"' in config, f"{name} is not read by backend/config.py"
    for path in set(re.findall(r"`(deploy/[\w./-]+)`", text)):
        assert (ROOT / path).exists(), path
