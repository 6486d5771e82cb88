"""SMART Health Cards (spec.smarthealth.cards): a FHIR bundle in an ES256-signed JWS, its
``shc:/`` numeric form and its QR code, and the checks a verifier makes.

Pure functions over an :class:`Issuer` (no database): the JOSE work is ``joserfc``'s and
the QR ``segno``'s; this module only arranges what the specification fixes (minified JSON,
raw DEFLATE, the ``zip``/``kid`` header, two QR segments, the size limit).
"""

from __future__ import annotations

import io
import json
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any

import segno
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey
from joserfc.registry import HeaderParameter
from segno import consts

SCHEME = "shc:/"
HEALTH_CARD = "https://smarthealth.cards#health-card"
IMMUNIZATION = "https://smarthealth.cards#immunization"
FHIR_VERSION = "4.0.1"
CVX = "http://hl7.org/fhir/sid/cvx"
# Our own vaccine codes (``VN-…`` in schedule/vn/data/catalogue.toml), where CVX has none.
VN_VACCINES = "urn:niis:vn-vaccine-code"
# A JWS longer than this does not fit one version-22 QR at error correction L (the
# specification's single-QR limit); chunking into several QRs is deprecated.
MAX_JWS = 1195
MAX_QR_VERSION = 22
# The numeric form writes each character as ord(c) - 45, two digits: "-" (45) to "z" (122).
_NUMERIC = re.compile(r"^(?:\d\d)+$")
_LARGEST_PAIR = ord("z") - 45
# ``zip`` is a JWE header name that SMART Health Cards reuse in a JWS: joserfc refuses header
# names it does not know unless they are registered.
_REGISTRY = jws.JWSRegistry(
    header_registry={"zip": HeaderParameter("Compression of the payload (DEF: raw DEFLATE)", "str")},
    algorithms=["ES256"],
)


@dataclass(frozen=True)
class Issuer:
    """Who signs: the public base URL (``iss``) and the P-256 key; ``kid`` is the key's
    RFC 7638 SHA-256 thumbprint, as the specification requires."""

    url: str
    key: ECKey = field(repr=False)

    @classmethod
    def from_pem(cls, url: str, pem: str) -> Issuer:
        return cls(url.rstrip("/"), ECKey.import_key(pem))

    @property
    def kid(self) -> str:
        return self.key.thumbprint()

    def jwks(self) -> dict[str, Any]:
        """The public JWK set served at ``/.well-known/jwks.json``."""
        public = self.key.as_dict(private=False)
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "ES256"}]}


@dataclass(frozen=True)
class Vaccination:
    """One administered dose as the card tells it."""

    vaccine_code: str
    on: date
    lot_number: str = ""
    performer: str = ""


@dataclass(frozen=True)
class Holder:
    full_name: str
    birth_date: date


@dataclass(frozen=True)
class Card:
    jws: str
    numeric: str  # "shc:/" and the digits: what the QR holds
    shortened: bool  # lot numbers and performers left out to fit one QR

    @cached_property
    def symbol(self) -> segno.QRCode:
        """The card's QR symbol, encoded once for its SVG and its version."""
        return qr(self.numeric)

    def qr_svg(self) -> str:
        """The QR as a standalone SVG document (with its namespace, so it shows as an
        image too), sized by the page's CSS."""
        out = io.BytesIO()
        self.symbol.save(out, kind="svg", xmldecl=False, svgns=True, omitsize=True, scale=1, border=4, svgclass="qr")
        return out.getvalue().decode("utf-8")


class CardTooLarge(ValueError):
    """The doses do not fit one QR even without lot numbers and performers."""


def _name(full_name: str) -> dict[str, Any]:
    # Vietnamese names are family name first ("Nguyễn Văn An"): family "Nguyễn", given "Văn An".
    family, _, given = full_name.strip().partition(" ")
    return {"family": family, "given": [given]} if given else {"family": family}


def _coding(code: str) -> dict[str, str]:
    return {"system": VN_VACCINES if code.startswith("VN-") else CVX, "code": code}


def bundle(holder: Holder, doses: list[Vaccination], *, detailed: bool = True) -> dict[str, Any]:
    """The FHIR R4 collection bundle: the Patient, then one Immunization per dose, minimised
    as the specification asks for QR cards (no ids, meta, text or displays; ``resource:N``)."""
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": "resource:0",
            "resource": {
                "resourceType": "Patient",
                "name": [_name(holder.full_name)],
                "birthDate": holder.birth_date.isoformat(),
            },
        }
    ]
    for number, dose in enumerate(doses, start=1):
        immunization: dict[str, Any] = {
            "resourceType": "Immunization",
            "status": "completed",
            "vaccineCode": {"coding": [_coding(dose.vaccine_code)]},
            "patient": {"reference": "resource:0"},
            "occurrenceDateTime": dose.on.isoformat(),
        }
        if detailed and dose.lot_number:
            immunization["lotNumber"] = dose.lot_number
        if detailed and dose.performer:
            immunization["performer"] = [{"actor": {"display": dose.performer}}]
        entries.append({"fullUrl": f"resource:{number}", "resource": immunization})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw DEFLATE: no zlib or gzip header
    return packer.compress(data) + packer.flush()


def _sign(issuer: Issuer, fhir_bundle: dict[str, Any], issued: datetime) -> str:
    claims = {
        "iss": issuer.url,
        "nbf": int(issued.timestamp()),
        "vc": {
            "type": [HEALTH_CARD, IMMUNIZATION],
            "credentialSubject": {"fhirVersion": FHIR_VERSION, "fhirBundle": fhir_bundle},
        },
    }
    payload = _deflate(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    header = {"alg": "ES256", "zip": "DEF", "kid": issuer.kid}
    return jws.serialize_compact(header, payload, issuer.key, registry=_REGISTRY)


def numeric(token: str) -> str:
    """The ``shc:/`` form of a JWS: each character as two digits (``ord(c) - 45``)."""
    return SCHEME + "".join(f"{ord(char) - 45:02d}" for char in token)


def qr(text: str) -> segno.QRCode:
    """The card's QR: the scheme in a byte segment, the digits in a numeric one (as the
    specification says), error correction L."""
    segments = [(SCHEME, consts.MODE_BYTE), (text[len(SCHEME) :], consts.MODE_NUMERIC)]
    # segno takes a list of (content, mode) segments; its type hints name only one content.
    return segno.make(segments, error="l", boost_error=False, micro=False)  # type: ignore[arg-type]


def issue(issuer: Issuer, holder: Holder, doses: list[Vaccination], issued: datetime) -> Card:
    """The signed card. When the full card would not fit one QR, lot numbers and
    performers are left out (vaccine and date are what a verifier checks); if even that
    is too long, :class:`CardTooLarge`."""
    for detailed in (True, False):
        token = _sign(issuer, bundle(holder, doses, detailed=detailed), issued)
        if len(token) <= MAX_JWS:
            return Card(token, numeric(token), shortened=not detailed)
    raise CardTooLarge(
        f"{len(doses)} doses do not fit in one SMART Health Card QR code even without lot numbers "
        f"(the signed card would be {len(token)} characters, at most {MAX_JWS} fit)"
    )


# ---------------------------------------------------------------------- verifying


@dataclass(frozen=True)
class Verdict:
    """What a verifier concludes: valid with the card's content, or why not."""

    valid: bool
    reason: str = ""  # not_shc | malformed | unknown_key | bad_signature | unknown_issuer
    message: str = ""
    issuer: str = ""
    issued_at: datetime | None = None
    holder: Holder | None = None
    doses: tuple[Vaccination, ...] = ()


# Why a card is not valid (Verdict.reason); the app words each (pwa/js/screens/verify.js).
REASONS = ("not_shc", "malformed", "unknown_key", "bad_signature", "unknown_issuer")


def _refused(reason: str, message: str) -> Verdict:
    assert reason in REASONS
    return Verdict(False, reason, message)


def _token(text: str) -> str | Verdict:
    text = text.strip()
    if not text.lower().startswith(SCHEME):
        return _refused("not_shc", "This is not a SMART Health Card: its text does not start with shc:/")
    digits = text[len(SCHEME) :]
    if "/" in digits:
        return _refused("malformed", "This card is one part of several QR codes (chunked), which is not supported")
    if not _NUMERIC.match(digits):
        return _refused("malformed", "The card's numbers are damaged (not an even run of digits)")
    pairs = [int(digits[i : i + 2]) for i in range(0, len(digits), 2)]
    if max(pairs) > _LARGEST_PAIR:
        return _refused("malformed", "The card's numbers are damaged (a value outside the code table)")
    return "".join(chr(pair + 45) for pair in pairs)


def _holder(resource: dict[str, Any]) -> Holder:
    name = resource["name"][0]
    full_name = " ".join([name.get("family", ""), *name.get("given", [])]).strip()
    return Holder(full_name, date.fromisoformat(resource["birthDate"]))


def _vaccination(resource: dict[str, Any]) -> Vaccination:
    performers = resource.get("performer") or [{}]
    return Vaccination(
        vaccine_code=resource["vaccineCode"]["coding"][0]["code"],
        on=date.fromisoformat(resource["occurrenceDateTime"][:10]),
        lot_number=resource.get("lotNumber", ""),
        performer=performers[0].get("actor", {}).get("display", ""),
    )


def _content(claims: Any, issuer: Issuer) -> Verdict:
    try:
        credential = claims["vc"]
        if HEALTH_CARD not in credential["type"]:
            return _refused("not_shc", "This signed code is not a SMART Health Card (no health-card type)")
        entries = [entry["resource"] for entry in credential["credentialSubject"]["fhirBundle"]["entry"]]
        patients = [r for r in entries if r.get("resourceType") == "Patient"]
        holder = _holder(patients[0])
        doses = tuple(_vaccination(r) for r in entries if r.get("resourceType") == "Immunization")
        issued = datetime.fromtimestamp(claims["nbf"], tz=UTC)
        iss = claims["iss"]
    except (KeyError, IndexError, TypeError, ValueError, OverflowError, OSError):
        return _refused("not_shc", "This signed code does not hold a vaccination record (FHIR bundle) we can read")
    if iss != issuer.url:
        # Signed with our key but naming another issuer: not a card we issued.
        return _refused("unknown_issuer", f"This card names another issuer ({iss}), not this system")
    return Verdict(True, issuer=iss, issued_at=issued, holder=holder, doses=doses)


def verify(text: str, issuer: Issuer) -> Verdict:
    """Check a scanned ``shc:/`` text against this system's issuer key, as a verifier app
    does with our JWK set: the numeric form, the header (ES256, DEF, our ``kid``), the
    signature, then the payload (inflated) and its FHIR bundle."""
    token = _token(text)
    if isinstance(token, Verdict):
        return token
    try:
        signed = jws.extract_compact(token.encode("ascii"), registry=_REGISTRY)
    except (JoseError, ValueError, UnicodeError):
        return _refused("malformed", "The card's signed part cannot be read (not a JWS)")
    header = signed.protected
    if header.get("alg") != "ES256" or header.get("zip") != "DEF":
        return _refused("malformed", "The card's signature header is not that of a SMART Health Card (ES256, DEF)")
    if header.get("kid") != issuer.kid:
        return _refused("unknown_key", "This card was signed by a key that is not one of this system's issuer keys")
    try:
        genuine = jws.validate_compact(signed, issuer.key, registry=_REGISTRY)  # the token parsed once, above
    except (JoseError, ValueError):
        return _refused("malformed", "The card's signed part cannot be read (not a JWS)")
    if not genuine:
        return _refused("bad_signature", "The card's signature does not match its content: it was changed or forged")
    try:
        claims = json.loads(zlib.decompress(signed.payload, -15))
    except (zlib.error, ValueError):
        return _refused("not_shc", "The card's content is not compressed JSON")
    return _content(claims, issuer)
