"""The subject card: a signed QR payload and the printable A6 page that carries it.

QR content: ``NIIS1|<code>|<signature>`` where ``<code>`` is the lifelong code as
stored (``7KM29QXHQ``) and ``<signature>`` the first 10 characters of
``base32(HMAC-SHA256(secret_key, "card:" + code))`` (RFC 4648 alphabet, no padding).
Only this server (its ``secret_key``) can sign, so a forged card or a mistyped code
is refused when scanned; 10 base-32 characters are 50 bits, far beyond guessing at
the rate the linking routes allow.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

import segno

from api.errors import NotFound
from api.registry.cards.parser import KIND, PREFIX, SIGNATURE_LENGTH, SubjectCard
from api.registry.identity import codes
from api.registry.subjects import deps as access
from api.registry.subjects import services as service
from api.scope import Scope

SEXES_VI = {"M": "Nam", "F": "Nữ", "U": "Chưa rõ"}


def signature(secret_key: str, code: str) -> str:
    digest = hmac.new(secret_key.encode(), f"card:{code}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:SIGNATURE_LENGTH]


def qr_text(secret_key: str, code: str) -> str:
    """What the card's QR code carries."""
    return f"{PREFIX}|{code}|{signature(secret_key, code)}"


@dataclass(frozen=True, slots=True)
class Verdict:
    valid: bool
    reason: str | None = None
    message: str | None = None


def verify(secret_key: str, card: SubjectCard) -> Verdict:
    """Whether this server signed ``card`` (the signature is compared in constant time)."""
    if not card.check_ok:
        return Verdict(False, "mistyped_code", "The code on this card is not a valid code (check character)")
    if not hmac.compare_digest(signature(secret_key, card.code).encode(), card.signature.encode()):
        return Verdict(False, "bad_signature", "This card was not issued by this system (its signature does not match)")
    return Verdict(True)


def from_payload(payload: dict[str, Any]) -> SubjectCard:
    """A card payload as the scan reports it (``payload_to_dict``) back to the card."""
    return SubjectCard(code=payload["code"], signature=payload["signature"], check_ok=bool(payload["check_ok"]))


async def resolve(scanned: SubjectCard, scope: Scope, secret_key: str) -> dict[str, Any]:
    """What a scanned card means to this caller.

    A forged or mistyped card: ``valid`` false and why, nothing else. A valid card: the
    subject if the caller may see it (staff: in their area; a parent: linked), else
    ``subject`` null; staff are told the subject is elsewhere (search by code finds it
    anyway, to record a move-in), a parent only that nothing was found.
    """
    verdict = verify(secret_key, scanned)
    if not verdict.valid:
        return {"kind": KIND, "valid": False, "reason": verdict.reason, "message": verdict.message}
    answer: dict[str, Any] = {"kind": KIND, "valid": True, "code_display": codes.display(scanned.code)}
    try:
        row = await service.by_code(scanned.code)
    except NotFound:
        return {**answer, "subject": None, "reason": "not_found", "message": "No subject has this code"}
    if not await access.can_see(scope, row):
        if scope.principal.is_staff:
            message = "This subject is managed outside your area: search the code to record a move-in"
            return {**answer, "subject": None, "reason": "outside_area", "message": message}
        return {**answer, "subject": None, "reason": "not_found", "message": "No subject has this code"}
    subject = {k: row[k] for k in ("id", "code", "code_display", "full_name", "sex", "status", "place", "facility")}
    return {**answer, "subject": {**subject, "birth_date": row["birth_date"].isoformat()}}


def _date_vi(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def qr_svg(text: str) -> str:
    """An inline SVG QR code (sized by the page's CSS)."""
    symbol = segno.make(text, mode="byte", error="m", micro=False)
    return str(symbol.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", dark="#000"))


# The page's style and print button are static files of the PWA (``/card.css``,
# ``/js/card.js``): the Content-Security-Policy allows no inline style or script.


def page(subject: dict[str, Any], facility_name: str, secret_key: str) -> str:
    """The printable card of ``subject`` (a row of :func:`api.registry.subjects.services.get`)."""
    code = subject["code"]
    rows = [
        ("Họ và tên", subject["full_name"]),
        ("Ngày sinh", _date_vi(subject["birth_date"])),
        ("Giới tính", SEXES_VI.get(subject["sex"], subject["sex"])),
        ("Cơ sở quản lý", facility_name),
    ]
    fields = "\n".join(f"<dt>{escape(label)}</dt><dd>{escape(str(value))}</dd>" for label, value in rows)
    return f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Thẻ tiêm chủng – {escape(subject["full_name"])}</title>
<link rel="icon" href="/icons/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/card.css">
<script src="/js/card.js" defer></script>
</head>
<body>
<div class="actions"><button type="button" id="print">In thẻ</button></div>
<main class="card">
<h1>THẺ TIÊM CHỦNG</h1>
<p class="sub">Hệ thống thông tin tiêm chủng quốc gia</p>
{qr_svg(qr_text(secret_key, code))}
<div class="code">{escape(codes.display(code))}</div>
<dl>
{fields}
</dl>
<p class="note">Mang thẻ này mỗi lần đi tiêm. Quét mã QR hoặc đọc mã để tra cứu hồ sơ.</p>
</main>
</body>
</html>
"""
