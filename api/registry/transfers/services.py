"""Who may move a subject to their own side, and transfer requests.

A caller who can see a subject (its managing side, or an officer above it) moves it
anywhere. A caller who cannot see it takes it over only with proof that the child is in
front of them: the lifelong code from the card or the personal ID number from the card
or birth certificate, matching that subject. Without proof (no card, no certificate) the
receiving side files a *transfer request* describing the child to the side it came from;
someone there (or an officer above both sides), never the requester, approves it (which
performs the move) or declines it.

To a caller who cannot see the subject, an unknown id, an id outside their area and a
wrong proof answer alike (404, one message, no data), and a request answers the same
whether such a child exists or not: nothing tells which ids or children exist.
See docs/registry.md, "Transfers".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from api import clock
from api.audit import services as audit
from api.auth.ratelimit import AttemptCounter
from api.auth.roles import Role
from api.context import Actor
from api.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from api.phones import normalize_phone
from api.registry.identity import codes
from api.registry.identity.names import display_name, name_key
from api.registry.search import services as search
from api.registry.subjects import deps as access
from api.registry.subjects import services as service
from api.registry.subjects.validation import check_birth_date
from api.scope import Scope
from db.tables import Subject, TransferRequest
from db.unit_of_work import lock_row, unit_of_work

Status = Literal["pending", "approved", "declined", "cancelled"]
_ACTIONS = {"approved": "transfer.approve", "declined": "transfer.decline", "cancelled": "transfer.cancel"}
Side = Literal["incoming", "outgoing"]


def not_found(subject_id: int) -> NotFound:
    """The one answer for an unknown id, an id outside the area and a wrong proof."""
    return NotFound(
        f"Subject {subject_id} not found in your area. To take over a child who moved in, send the code "
        "from the card or the 12-digit personal ID number as proof, or file a transfer request"
    )


@dataclass(frozen=True)
class Proof:
    """What the family showed: the card's code or the personal ID number (one of them)."""

    code: str | None = None
    personal_id: str | None = None

    @classmethod
    def parse(cls, text: str) -> Proof:
        """Any format printed or typed (``7km2 9qxh c``, ``0012 2501 2345``); 422 when it
        cannot be either, whatever the subject (a typing mistake tells nothing)."""
        kind = search.classify(text)
        if kind == "code":
            return cls(code=codes.normalize(text))
        if kind == "personal_id":
            return cls(personal_id="".join(c for c in text if c.isdigit()))
        raise Invalid(
            "proof is the code from the card (like 7KM2-9QXH-C) or the 12-digit personal ID number", field="proof"
        )

    async def matches(self, subject: dict[str, Any]) -> bool:
        if self.personal_id is not None:
            return bool(subject["personal_id"]) and subject["personal_id"] == self.personal_id
        if subject["code"] == self.code:
            return True
        # A record merged into this one keeps its code (and its card), which leads here.
        return await Subject.exists().where((Subject.code == self.code) & (Subject.merged_into == subject["id"]))


# Wrong proofs one account may send in an hour: a field team's typing mistakes fit many
# times over, guessing personal ID numbers (partly predictable) does not.
WRONG_PROOFS_PER_HOUR = 20


def _proof_key(actor: Actor) -> str:
    return f"transfer-proof:account:{actor.account_id}"


async def _check_proof_budget(attempts: AttemptCounter, actor: Actor) -> None:
    used, seconds_left = await attempts.peek(_proof_key(actor))
    if used >= WRONG_PROOFS_PER_HOUR:
        raise TooManyRequests(
            f"Too many codes or ID numbers that matched no child; try again in {seconds_left} seconds, "
            "or file a transfer request",
            retry_after=max(1, seconds_left),
        )


async def move(
    actor: Actor,
    scope: Scope,
    subject_id: int,
    to: service.MoveTo,
    *,
    proof: str | None = None,
    attempts: AttemptCounter | None = None,
) -> dict[str, Any]:
    """Move a subject, by the transfer rule above, saying why (``to.reason``, required).
    With ``attempts``, an account's wrong proofs are limited (``WRONG_PROOFS_PER_HOUR``; 429
    past it), so personal ID numbers cannot be tried one after another."""
    if not to.reason.strip():
        raise Invalid("Say why the subject moves", field="reason")
    shown = Proof.parse(proof) if proof else None
    try:
        row: dict[str, Any] | None = await service.get(subject_id)
    except NotFound:
        row = None
    if row is None or not await access.can_see(scope, row):
        # Taking over: the destination is checked first, as it says nothing of the subject.
        await access.require_destination(scope, to.place_id, to.facility_id)
        if shown is not None and attempts is not None:
            await _check_proof_budget(attempts, actor)
        if row is None or shown is None or not await shown.matches(row):
            if shown is not None and attempts is not None:
                await attempts.hit(_proof_key(actor), 3600)
            raise not_found(subject_id)
    return await service.move(actor, row["id"], to)


@dataclass(frozen=True)
class RequestIn:
    """The child as the family describes it, and where it is to be managed from now."""

    from_place_id: int
    full_name: str
    birth_date: date
    moved_on: date
    to_place_id: int
    to_facility_id: int
    guardian_phone: str | None = None
    reason: str = ""


def _managed_places(scope: Scope) -> frozenset[int] | None:
    """Where the caller answers for the children (None: everywhere)."""
    if scope.principal.role is Role.PARENT:
        return frozenset()
    return scope.unit_place_ids() if scope.facility_id is not None else scope.place_ids()


def _manages(scope: Scope, place_id: int) -> bool:
    places = _managed_places(scope)
    return places is None or place_id in places


async def file_request(actor: Actor, scope: Scope, data: RequestIn) -> dict[str, Any]:
    """File a request; the answer is the request as sent, whether or not the child exists."""
    day = clock.current().today()
    if data.from_place_id not in scope.tree:
        raise Invalid(f"Place {data.from_place_id} does not exist", field="from_place_id")
    await access.require_destination(scope, data.to_place_id, data.to_facility_id)
    name = display_name(data.full_name)
    if not name_key(name):
        raise Invalid("The name is empty", field="full_name")
    check_birth_date(data.birth_date, day)
    if not data.birth_date <= data.moved_on <= day:
        raise Invalid("The move date is between the birth date and today", field="moved_on")
    phone = normalize_phone(data.guardian_phone, field="guardian_phone") if data.guardian_phone else None
    async with unit_of_work():
        request_id = await audit.insert_audited(
            actor,
            TransferRequest(
                requester=scope.principal.account_id,
                from_place=data.from_place_id,
                full_name=name,
                birth_date=data.birth_date,
                guardian_phone=phone,
                moved_on=data.moved_on,
                to_place=data.to_place_id,
                to_facility=data.to_facility_id,
                reason=data.reason.strip(),
                status="pending",
                requested_at=clock.current().now(),
            ),
            action="transfer.request",
            entity="transfer_request",
            place_id=data.to_place_id,
            shown=("from_place", "full_name", "birth_date", "to_place", "to_facility", "reason"),
        )
    return await _described(scope, await _row(request_id))


_COLUMNS = (
    *TransferRequest.all_columns(),
    TransferRequest.requester.full_name.as_alias("requester_name"),
    TransferRequest.to_facility.name.as_alias("to_facility_name"),
)


def place_name(scope: Scope, place_id: int) -> str:
    """A unit's name as it reads today (or as it last read, for a former unit). Both
    sides of a request or a move name each other's communes, which their own place
    lists (``/api/places``) do not hold."""
    row = scope.tree.version(place_id, scope.day) or scope.tree.latest(place_id)
    return row.name if row is not None else ""


async def _row(request_id: int) -> dict[str, Any]:
    row = await TransferRequest.select(*_COLUMNS).where(TransferRequest.id == request_id).first()
    if row is None:
        raise NotFound(f"Transfer request {request_id} not found")
    return row


async def _candidates(scope: Scope, row: dict[str, Any]) -> list[int]:
    """Subjects the deciding side sees with the name and birth date described."""
    condition, args = (await access.subject_filter(scope)).sql()
    found = await Subject.raw(
        f"SELECT s.id FROM subject s WHERE s.name_key = {{}} AND s.birth_date = {{}} AND {condition} ORDER BY s.id",
        name_key(row["full_name"]),
        row["birth_date"],
        *args,
    )
    return [int(r["id"]) for r in found]


async def _described(scope: Scope, row: dict[str, Any]) -> dict[str, Any]:
    """The request as this caller may read it: the side deciding a pending request also
    gets the records it might be about (the requester never does)."""
    deciding = row["status"] == "pending" and _manages(scope, row["from_place"])
    candidates = await _candidates(scope, row) if deciding else []
    return {
        **row,
        "candidates": candidates,
        "from_place_name": place_name(scope, row["from_place"]),
        "to_place_name": place_name(scope, row["to_place"]),
    }


async def listing(scope: Scope, *, side: Side, status: Status | None, limit: int = 100) -> list[dict[str, Any]]:
    """``incoming``: requests about children of the caller's area; ``outgoing``: those the
    caller filed or that bring a child to the caller's area. Newest first."""
    query = TransferRequest.select(*_COLUMNS).order_by(TransferRequest.id, ascending=False).limit(limit)
    if status is not None:
        query = query.where(TransferRequest.status == status)
    places = _managed_places(scope)
    if side == "incoming":
        if places is not None:
            query = query.where(TransferRequest.from_place.is_in(sorted(places) or [-1]))
    else:
        mine = TransferRequest.requester == scope.principal.account_id
        if scope.facility_id is not None:
            query = query.where(mine | (TransferRequest.to_facility == scope.facility_id))
        elif places is not None:
            query = query.where(mine | TransferRequest.to_place.is_in(sorted(places) or [-1]))
    return [await _described(scope, row) for row in await query]


def _require_pending(row: dict[str, Any]) -> None:
    if row["status"] != "pending":
        raise Conflict(f"This request is already {row['status']}", details={"field": "status"})


async def _to_decide(scope: Scope, request_id: int) -> dict[str, Any]:
    """A pending request the caller may decide, locked for the decision."""
    row = await lock_row(TransferRequest, request_id)
    if row is not None and row["requester"] == scope.principal.account_id:
        raise Forbidden("You filed this request: someone on the side the child comes from decides it")
    if row is None or not _manages(scope, row["from_place"]):
        raise NotFound(f"Transfer request {request_id} not found")
    _require_pending(row)
    return row


async def _decide(actor: Actor, row: dict[str, Any], status: str, *, place_id: int, **changes: Any) -> None:
    """Close a pending request, audited under the side the decision belongs to."""
    await audit.update_audited(
        actor,
        TransferRequest,
        row["id"],
        row,
        {"status": status, "decided_by": actor.account_id, "decided_at": clock.current().now(), **changes},
        action=_ACTIONS[status],
        entity="transfer_request",
        place_id=place_id,
    )


async def approve(actor: Actor, scope: Scope, request_id: int, *, subject_id: int) -> dict[str, Any]:
    """The deciding side names the record the request is about; it moves as requested,
    in the same transaction as the decision."""
    async with unit_of_work():
        row = await _to_decide(scope, request_id)
        subject = await service.get(subject_id)
        await access.require_visible(scope, subject)
        to = service.MoveTo(row["to_place"], row["to_facility"], row["moved_on"], reason=row["reason"])
        await service.move(actor, subject["id"], to)
        await _decide(actor, row, "approved", place_id=subject["place"], subject=subject["id"])
    return await _described(scope, await _row(request_id))


async def decline(actor: Actor, scope: Scope, request_id: int) -> dict[str, Any]:
    async with unit_of_work():
        row = await _to_decide(scope, request_id)
        await _decide(actor, row, "declined", place_id=row["from_place"])
    return await _described(scope, await _row(request_id))


async def cancel(actor: Actor, scope: Scope, request_id: int) -> dict[str, Any]:
    """The requester withdraws a pending request (the family found the card)."""
    async with unit_of_work():
        row = await lock_row(TransferRequest, request_id)
        if row is None or row["requester"] != scope.principal.account_id:
            raise NotFound(f"Transfer request {request_id} not found")
        _require_pending(row)
        await _decide(actor, row, "cancelled", place_id=row["to_place"])
    return await _described(scope, await _row(request_id))
