"""Linking a parent account to the children it may follow.

Two ways, both for the ``parent`` role only:

* **by phone**: the parent gives a guardian's phone; a 6-digit code is sent to it (via
  the outbox) and, entered within 10 minutes and at most 5 tries, links every subject
  whose guardian has that phone. The answer to the request is the same whether or not
  any guardian has the phone: a code row is made either way (nobody learns an unsent
  code), so the verification behaves alike too and nothing tells which phones are known.
* **by card**: the card's QR text (signature checked) plus the child's birth date.

Codes are stored as an HMAC keyed by the server's secret, so the stored hashes of six
digits cannot be reversed by trying the million candidates. Every link and every code
sent or tried is audited; the routes also limit attempts per account and per phone.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from api import clock
from api.audit import services as audit
from api.auth.ratelimit import AttemptCounter
from api.context import Actor
from api.errors import Invalid, NotFound, TooManyRequests
from api.registry.cards import parser as card_parser
from api.registry.cards import services as card
from api.registry.identity import codes
from api.registry.subjects import services as service
from db.tables import OneTimeCode, ParentLink, Subject, SubjectGuardian
from db.unit_of_work import on_commit, unit_of_work
from push import outbox
from scanning import PayloadError

PURPOSE = "parent_link"
CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
MAX_TRIES = 5
SMS_TEMPLATE = "parent_link_code"


@dataclass(frozen=True, slots=True)
class Limit:
    attempts: int
    window_seconds: int


# Every linking call of one account; every code requested or tried for one phone; and,
# so that nobody floods a phone with SMS, codes requested for one phone.
PER_ACCOUNT = Limit(10, 15 * 60)
PER_PHONE = Limit(10, 60 * 60)
SMS_PER_PHONE = Limit(3, 60 * 60)


async def check_limit(counter: AttemptCounter, key: str, limit: Limit) -> None:
    """Count one attempt under ``key``; 429 with Retry-After beyond ``limit``."""
    count, seconds_left = await counter.hit(key, limit.window_seconds)
    if count > limit.attempts:
        raise TooManyRequests(
            f"Too many linking attempts; try again in {seconds_left} seconds", retry_after=seconds_left
        )


def _code_hash(secret_key: str, account_id: int, phone: str, code: str) -> str:
    message = f"{PURPOSE}:{account_id}:{phone}:{code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def sms_body(code: str) -> str:
    # Vietnamese without diacritics, as service SMS are written: it stays in the GSM 7-bit
    # alphabet, one 160-character message (with diacritics: UCS-2, 70 characters a part).
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    return (
        f"NIIS: ma xac nhan lien ket ho so tiem chung cua ban la {code}. "
        f"Ma co hieu luc {minutes} phut. Khong chia se ma nay cho bat ky ai."
    )


async def _guardian_has_phone(phone: str) -> bool:
    return bool(
        await SubjectGuardian.exists().where(
            (SubjectGuardian.guardian.phone == phone) & (SubjectGuardian.subject.status != "merged")
        )
    )


async def request_phone_code(actor: Actor, account_id: int, phone: str, *, secret_key: str, log_body: bool) -> None:
    """Send a code to ``phone`` if a guardian has it; answer alike either way."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    now = clock.current().now()
    async with unit_of_work():
        # A new code replaces the ones sent before to this account for this phone.
        await OneTimeCode.update({OneTimeCode.expires_at: now}).where(
            (OneTimeCode.account == account_id)
            & (OneTimeCode.phone == phone)
            & (OneTimeCode.purpose == PURPOSE)
            & OneTimeCode.used_at.is_null()
            & (OneTimeCode.expires_at > now)
        )
        await OneTimeCode.insert(
            OneTimeCode(
                account=account_id,
                phone=phone,
                code_hash=_code_hash(secret_key, account_id, phone, code),
                purpose=PURPOSE,
                attempts=0,
                expires_at=now + CODE_LIFETIME,
            )
        )
        known = await _guardian_has_phone(phone)
        if known:
            queued = await outbox.enqueue(
                channel="sms",
                recipient=phone,
                template=SMS_TEMPLATE,
                body=sms_body(code),
                reference=f"account:{account_id}",
                now=now,
                data={"purpose": PURPOSE},
            )
            # Only a committed message is announced (the request's own unit may yet roll back).
            on_commit(lambda: outbox.announce(queued, log_body=log_body))
        await audit.record(
            actor, "parent_link.code_requested", "account", account_id, after={"phone": phone, "sent": known}
        )


async def verify_phone_code(
    actor: Actor, account_id: int, phone: str, code: str, *, secret_key: str
) -> list[dict[str, Any]]:
    """Check the code sent to ``phone`` and link every subject whose guardian has it."""
    now = clock.current().now()
    refusal: Invalid | None = None
    async with unit_of_work() as unit:
        pending = (
            await OneTimeCode.select()
            .where(
                (OneTimeCode.account == account_id)
                & (OneTimeCode.phone == phone)
                & (OneTimeCode.purpose == PURPOSE)
                & OneTimeCode.used_at.is_null()
            )
            .order_by(OneTimeCode.id, ascending=False)
            .first()
        )
        if pending is None or pending["expires_at"] <= now:
            raise Invalid(
                "This code has expired or was never sent: ask for a new one",
                details={"field": "code", "reason": "expired"},
            )
        # Count the try first, in one statement: concurrent tries cannot go past MAX_TRIES.
        counted = (
            await OneTimeCode.update({OneTimeCode.attempts: OneTimeCode.attempts + 1})
            .where(
                (OneTimeCode.id == pending["id"]) & (OneTimeCode.attempts < MAX_TRIES) & OneTimeCode.used_at.is_null()
            )
            .returning(OneTimeCode.attempts)
        )
        if not counted:
            raise Invalid(
                "Too many wrong codes: ask for a new one", details={"field": "code", "reason": "too_many_tries"}
            )
        expected = _code_hash(secret_key, account_id, phone, code)
        if not hmac.compare_digest(expected, pending["code_hash"]):
            await audit.record(actor, "parent_link.code_wrong", "account", account_id, after={"phone": phone})
            unit.keep_if_refused()  # the request answers 422, yet the wrong try counts
            left = MAX_TRIES - int(counted[0]["attempts"])
            # Raised outside the block, which therefore keeps its writes: the wrong try counts.
            refusal = Invalid(
                f"Wrong code ({left} {'try' if left == 1 else 'tries'} left)"
                if left
                else "Wrong code, and no tries are left: ask for a new one",
                details={"field": "code", "reason": "wrong_code" if left else "too_many_tries", "tries_left": left},
            )
        else:
            await OneTimeCode.update({OneTimeCode.used_at: now}).where(OneTimeCode.id == pending["id"])
            rows = await SubjectGuardian.select(SubjectGuardian.subject).where(
                (SubjectGuardian.guardian.phone == phone) & (SubjectGuardian.subject.status != "merged")
            )
            for subject_id in sorted({int(r["subject"]) for r in rows}):
                await _link(actor, account_id, subject_id, "phone", now)
    if refusal is not None:
        raise refusal
    return await linked_subjects(account_id)


async def link_by_card(
    actor: Actor, account_id: int, card_text: str, birth_date: date, *, secret_key: str
) -> dict[str, Any]:
    """Link the subject of a (signed) card when ``birth_date`` is the subject's."""
    try:
        scanned = card_parser.parse_card(card_text)
    except PayloadError as exc:
        raise Invalid(exc.message, details={"field": "card", "reason": "malformed"}) from None
    verdict = card.verify(secret_key, scanned)
    if not verdict.valid:
        raise Invalid(verdict.message or "Not a valid card", details={"field": "card", "reason": verdict.reason})
    try:
        subject = await service.by_code(scanned.code)
    except NotFound:
        subject = None
    # One answer for "no such subject" and "another birth date": nothing to probe with.
    if subject is None or subject["birth_date"] != birth_date:
        raise Invalid("The birth date does not match this card", details={"field": "birth_date", "reason": "no_match"})
    async with unit_of_work():
        await _link(actor, account_id, subject["id"], "card", clock.current().now())
    return _summary(subject)


async def _link(actor: Actor, account_id: int, subject_id: int, method: str, now: datetime) -> None:
    """Link once (a second link to the same subject changes nothing), audited."""
    if await ParentLink.exists().where((ParentLink.account == account_id) & (ParentLink.subject == subject_id)):
        return
    place = await Subject.select(Subject.place).where(Subject.id == subject_id).first()
    await audit.insert_audited(
        actor,
        ParentLink(account=account_id, subject=subject_id, method=method, linked_at=now),
        action="parent_link.create",
        entity="subject",
        place_id=place["place"] if place else None,
        shown=("account", "subject", "method"),
    )


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "code": row["code"],
        "code_display": codes.display(row["code"]),
        "full_name": row["full_name"],
        "birth_date": row["birth_date"],
        "sex": row["sex"],
        "status": row["status"],
    }


async def linked_subjects(account_id: int) -> list[dict[str, Any]]:
    """The subjects linked to a parent account (a merged one shows as its survivor)."""
    links = await ParentLink.select(ParentLink.subject, ParentLink.method, ParentLink.linked_at).where(
        ParentLink.account == account_id
    )
    seen: dict[int, dict[str, Any]] = {}
    for link in sorted(links, key=lambda r: r["linked_at"]):
        subject = await service.get(int(link["subject"]))
        if subject["id"] not in seen:
            seen[subject["id"]] = {**_summary(subject), "method": link["method"], "linked_at": link["linked_at"]}
    return list(seen.values())
