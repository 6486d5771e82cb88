"""``push`` delivers messages and knows nothing of vaccines: it imports ``db`` and
libraries, never ``api`` nor a domain package."""

from __future__ import annotations

import ast
from pathlib import Path

import push

FORBIDDEN = ("api", "schedule", "scanning")


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_push_imports_no_api_or_domain_module() -> None:
    package = Path(push.__file__).parent
    offending = {
        f"{path.relative_to(package.parent)}: {module}"
        for path in package.rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] in FORBIDDEN
    }
    assert not offending
    assert imported_modules(package / "outbox.py") >= {"db.tables.push"}  # the parse sees real imports
