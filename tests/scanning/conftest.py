"""Fixtures of the scanning tests: the generated photo corpus, decoded once per session."""

from __future__ import annotations

import pytest

import scanning
from scanning.testing import corpus
from scanning.testing.corpus import Decoded


@pytest.fixture(scope="session")
def photos() -> tuple[corpus.Sample, ...]:
    """One photo per recipe, 12 MP ones included (built in about two seconds)."""
    return corpus.build(1, large=True)


@pytest.fixture(scope="session")
def decoded(photos: tuple[corpus.Sample, ...]) -> dict[str, Decoded]:
    """Every corpus photo decoded with the default settings, by recipe name.

    The time budget is generous so that results never depend on how busy
    the machine is: tests assert what is found, not how fast.
    """
    return {s.recipe: Decoded(s, scanning.decode(s.data, time_budget=30)) for s in photos}
