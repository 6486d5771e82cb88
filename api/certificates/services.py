"""A subject's certificate from their administered doses, and verification of a scanned
card, over the codec in :mod:`api.certificates.shc`."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from api import clock
from api.certificates import shc
from api.errors import AppError
from api.records import services as records
from api.settings import Settings, stored_issuer_key
from db.tables import Facility
from schedule.vn import catalogue


class CertificateTooLarge(AppError):
    status_code, code = 409, "certificate_too_large"


@cache
def issuer(settings: Settings) -> shc.Issuer:
    """This system as a card issuer: ``iss`` is the public base URL, the key the configured
    one (the embedded set-up's own when none is configured). Made once per app's settings:
    the key is read and parsed on the first card, not on every request."""
    settings.require_issuer_key()  # `niis serve` checked it at start; an app made otherwise may not have
    pem = settings.issuer_key_pem or stored_issuer_key(settings.var_dir)
    return shc.Issuer.from_pem(settings.public_base_url, pem)


def vaccine_name(code: str, language: str) -> str:
    """The vaccine in words, from the catalogue's first product with that code."""
    products = catalogue.by_code(code)
    if not products:
        return code
    return products[0].name_vi if language == "vi" else products[0].name


async def _facility_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await Facility.select(Facility.id, Facility.name).where(Facility.id.is_in(sorted(ids)))
    return {row["id"]: row["name"] for row in rows}


async def vaccinations(subject_id: int) -> list[shc.Vaccination]:
    """The subject's administered doses (voided ones left out), oldest first, each with
    where it was given: the place a card named, or our facility's name."""
    doses = [d for d in await records.doses_of(subject_id) if d["status"] == "administered"]
    names = await _facility_names({d["facility_id"] for d in doses if d["facility_id"] is not None})
    return [
        shc.Vaccination(
            vaccine_code=d["vaccine_code"],
            on=d["administered_on"],
            lot_number=d["lot_number"] or "",
            # A dose from a paper card names where it was given; else the facility that gave it.
            performer=d["given_elsewhere"] or names.get(d["facility_id"], ""),
        )
        for d in doses
    ]


async def certificate(subject: dict[str, Any], signer: shc.Issuer) -> tuple[shc.Card, list[shc.Vaccination], datetime]:
    """The subject's card, signed now, with the doses it holds."""
    doses = await vaccinations(subject["id"])
    issued = clock.current().now()
    try:
        card = shc.issue(signer, shc.Holder(subject["full_name"], subject["birth_date"]), doses, issued)
    except shc.CardTooLarge as exc:
        raise CertificateTooLarge(str(exc)) from None
    return card, doses, issued
