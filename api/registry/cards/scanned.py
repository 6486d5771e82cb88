"""What the registry's codes mean when scanned, registered with the scanner at start-up:
a subject card resolves to its subject (signature checked, within the caller's area),
a citizen ID card to the registration form's fields."""

from __future__ import annotations

from typing import Any

from api.registry.cards import services as card
from api.scan.services import Caller, Resolver

_SEXES = {"male": "M", "female": "F"}


async def resolve_card(payload: dict[str, Any], caller: Caller) -> dict[str, Any]:
    return await card.resolve(card.from_payload(payload), caller.area, caller.secret_key)


async def resolve_citizen_id(payload: dict[str, Any], _: Caller) -> dict[str, Any]:
    return prefill(payload)


SCAN_RESOLVERS: dict[str, Resolver] = {card.KIND: resolve_card, "citizen_id": resolve_citizen_id}


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
