"""Fixtures for the schedule tests: where the CDC reference material lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from schedule.cdc_loader import load_cdc_schedule
from schedule.model import Schedule


def shared_dir() -> Path:
    """``../shared`` beside the repository, or ``$NIIS_SHARED_DIR``."""
    override = os.environ.get("NIIS_SHARED_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2].parent / "shared"


def cdsi_dir() -> Path:
    return shared_dir() / "cdsi"


@pytest.fixture(scope="session")
def cdsi() -> Path:
    folder = cdsi_dir()
    if not (folder / "supporting-data-4.64" / "ScheduleSupportingData.xml").is_file():
        pytest.skip("../shared/cdsi not found: CDC reference material is only beside the repo in CI")
    return folder


@pytest.fixture(scope="session")
def cdc_schedule(cdsi: Path) -> Schedule:
    return load_cdc_schedule(cdsi / "supporting-data-4.64")
