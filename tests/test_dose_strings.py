"""The dose screens word every route, site and screening finding the app can meet, in both
languages: the route and site choices are exactly what ``POST /api/doses`` accepts (a
choice the server refuses would cost the vaccinator a 400 at sync)."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path

from api.records.schemas import DoseIn

PWA = Path(__file__).resolve().parents[1] / "pwa"


def choices(name: str) -> list[str]:
    """The non-empty values of a Literal field of the dose body."""
    return [value for value in typing.get_args(typing.get_type_hints(DoseIn)[name]) if value]


def listed(name: str) -> list[str]:
    """The values the dose screen knows for ``name`` (its ROUTES / SITES / FINDINGS list)."""
    text = (PWA / "js" / "screens" / "dose.js").read_text(encoding="utf-8")
    found = re.search(rf"const {name} = \[([^\]]*)\]", text)
    assert found, name
    return re.findall(r'"([^"]+)"', found.group(1))


def test_the_route_and_site_choices_are_the_servers_and_worded_in_both_languages() -> None:
    assert listed("ROUTES") == choices("route")
    assert listed("SITES") == choices("site")
    findings = [*listed("FINDINGS"), "other"]
    needed = (
        {f"dose.route.{r}" for r in choices("route")}
        | {f"dose.site.{s}" for s in choices("site")}
        | {f"dose.finding.{code}" for code in findings}
    )
    for lang in ("vi", "en"):
        strings = json.loads((PWA / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
        assert needed <= set(strings), sorted(needed - set(strings))
