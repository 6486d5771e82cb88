"""Every api domain package has the same shape and says what it offers: ``__all__``
names its modules (a new module is either listed there or named ``_private``), and a
package with routes keeps them in ``controllers`` beside the ``services`` they call."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

from tests.conftest import REPO

API = REPO / "api"
DOMAIN_PACKAGES = sorted(
    ".".join(path.parent.relative_to(REPO).parts)
    for path in API.rglob("__init__.py")
    if path.parent != API and "__pycache__" not in path.parts
)


def test_the_domain_packages_are_found() -> None:
    assert {"api.registry.subjects", "api.accounts.linking", "api.places", "api.auth"} <= set(DOMAIN_PACKAGES)


@pytest.mark.parametrize("name", DOMAIN_PACKAGES)
def test_a_package_names_its_public_modules(name: str) -> None:
    package = importlib.import_module(name)
    declared = getattr(package, "__all__", None)
    assert declared is not None, f"{name}/__init__.py has no __all__"
    assert package.__doc__, f"{name}/__init__.py does not say what the package is for"
    found = {m.name for m in pkgutil.iter_modules([str(Path(package.__file__).parent)])}
    assert set(declared) == {m for m in found if not m.startswith("_")}, (
        f"{name}: __all__ {sorted(declared)} != modules {sorted(found)} (list a new module or name it _private)"
    )
    for module in declared:
        importlib.import_module(f"{name}.{module}")
    if "controllers" in declared:
        assert {"services"} <= set(declared), f"{name} has routes but no services module"
