"""What a scanned code resolves to, for the person who scanned it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.auth.principal import Principal
from api.registry.cards import services as card
from api.scope import scope_of
from schedule.vn import catalogue

_SEXES = {"male": "M", "female": "F"}


@dataclass(frozen=True, slots=True)
class Caller:
    """Who scanned: a subject card resolves only to subjects they may see."""

    principal: Principal
    secret_key: str


async def resolve(code: dict[str, Any], caller: Caller) -> dict[str, Any] | None:
    """A GS1 code's catalogue product, a subject card's subject (signature checked, within
    the caller's scope), a citizen ID card's registration prefill; else None."""
    payload = code.get("payload") or {}
    kind = payload.get("kind")
    if kind == "gs1":
        return product(payload)
    if kind == "citizen_id":
        return prefill(payload)
    if kind == card.KIND:
        return await card.resolve(card.from_payload(payload), await scope_of(caller.principal), caller.secret_key)
    return None


def product(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The catalogue product behind a GS1 code's GTIN."""
    for gtin in (payload.get("gtin"), payload.get("contained_gtin")):
        if not gtin:
            continue
        try:
            found = catalogue.by_gtin(gtin)
        except ValueError:
            continue
        if found is not None:
            return {
                "kind": "product",
                "id": found.id,
                "trade_name": found.trade_name,
                "name_vi": found.name_vi,
                "manufacturer": found.manufacturer,
                "doses_per_container": found.doses_per_container,
                "gtin": gtin,
            }
    return None


def prefill(payload: dict[str, Any]) -> dict[str, Any]:
    """A citizen ID card (as ``payload_to_dict`` gives it) as registration form fields:
    the holder as a guardian and, for a woman registering herself, as the subject.
    ``discrepancies`` are the card's inconsistencies, for the clerk to look at."""
    sex = _SEXES.get(payload.get("sex") or "")
    fields = {
        "full_name": payload.get("full_name"),
        "personal_id": payload.get("id_number"),
        "birth_date": payload.get("birth_date"),
        "sex": sex,
        "address": payload.get("address"),
    }
    return {
        "kind": "guardian_prefill",
        **fields,
        "consistent": not payload.get("discrepancies"),
        "discrepancies": payload.get("discrepancies") or [],
        "guardian": {"full_name": fields["full_name"], "personal_id": fields["personal_id"]},
        "subject": {
            "full_name": fields["full_name"],
            "personal_id": fields["personal_id"],
            "birth_date": fields["birth_date"],
            "sex": sex,
            "address_detail": fields["address"] or "",
        },
    }
