"""Certificates over HTTP: the issuer's public keys, a subject's card, and verification
of a scanned card (its text, or a photo of its QR)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import ValidationException

from api.auth.guards import requires, signed_in
from api.auth.principal import Principal
from api.auth.roles import Permission
from api.certificates import services, shc
from api.certificates.schemas import CardDose, Certificate, Patient, Verdict, VerifyIn
from api.errors import Invalid
from api.registry.subjects.deps import SUBJECT_DEPENDENCIES
from api.scan.controllers import decode_photo
from api.scope import Scope
from api.settings import Settings

# Verifier apps fetch the key set from other origins and keep it: public, cached a day.
JWKS_HEADERS = {"Cache-Control": "public, max-age=86400", "Access-Control-Allow-Origin": "*"}


def _issuer(request: Request[Any, Any, Any]) -> shc.Issuer:
    settings: Settings = request.app.state.settings
    return services.issuer(settings)


def _doses(doses: list[shc.Vaccination] | tuple[shc.Vaccination, ...], language: str) -> list[CardDose]:
    return [
        CardDose(
            vaccine_code=d.vaccine_code,
            vaccine=services.vaccine_name(d.vaccine_code, language),
            date=d.on,
            lot_number=d.lot_number,
            performer=d.performer,
        )
        for d in doses
    ]


@get("/.well-known/jwks.json", tags=["certificates"], media_type="application/json")
async def jwks(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """The certificate issuer's public keys (JWK set), for any SMART Health Card verifier."""
    return Response(_issuer(request).jwks(), headers=JWKS_HEADERS)


class CertificateController(Controller):
    path = "/api/subjects"
    tags = ["certificates"]
    dependencies = SUBJECT_DEPENDENCIES

    @get("/{subject_id:int}/certificate", guards=[requires(Permission.SUBJECTS_READ)])
    async def certificate(
        self, request: Request[Any, Any, Any], caller: Principal, subject: dict[str, Any]
    ) -> Certificate:
        """The subject's vaccination certificate, a SMART Health Card signed now: the FHIR
        bundle of their administered doses as a JWS, its ``shc:/`` text and the QR (SVG).
        Who may read the subject may read it (parents: their linked children)."""
        signer = _issuer(request)
        card, doses, issued = await services.certificate(subject, signer)
        return Certificate(
            subject_id=subject["id"],
            patient=Patient(name=subject["full_name"], birth_date=subject["birth_date"]),
            doses=_doses(doses, caller.language),
            issuer=signer.url,
            issued_at=issued,
            shortened=card.shortened,
            shc=card.numeric,
            jws=card.jws,
            qr_svg=card.qr_svg(),
            qr_version=int(card.symbol.version),
        )


def _shc_text(body: bytes) -> str:
    try:
        return msgspec.json.decode(body, type=VerifyIn).shc
    except msgspec.ValidationError as exc:
        raise ValidationException(f'The body must be {{"shc": "shc:/…"}} ({exc})') from None
    except msgspec.DecodeError:
        raise ValidationException("The request body is not valid JSON") from None


async def _photographed_text(request: Request[Any, Any, Any], area: Scope) -> str:
    result = await decode_photo(request, area)
    texts = [code["text"] for code in result["codes"] if code["text"]]
    cards = [text for text in texts if text.lower().startswith(shc.SCHEME)]
    if not texts:
        hint = result.get("hint_message") or "hold the QR code flat, in good light, filling most of the photo"
        raise Invalid(f"No QR code was found in the photo: {hint}", field="file")
    return cards[0] if cards else texts[0]


@post("/api/certificates/verify", guards=[signed_in], tags=["certificates"], status_code=200)
async def verify(request: Request[Any, Any, Any], caller: Principal, area: Scope) -> Verdict:
    """Whether a vaccination certificate is genuine: ``{"shc": "shc:/…"}`` (the QR's text),
    or a photo of the QR (JPEG, PNG or WebP, as the body or a multipart field ``file``).
    The answer says valid with the patient and doses, or invalid and why."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        text = _shc_text(await request.body())
    else:
        text = await _photographed_text(request, area)
    verdict = shc.verify(text, _issuer(request))
    if not verdict.valid:
        return Verdict(valid=False, reason=verdict.reason, message=verdict.message)
    assert verdict.holder is not None  # a valid card always names its holder
    return Verdict(
        valid=True,
        issuer=verdict.issuer,
        issued_at=verdict.issued_at,
        patient=Patient(name=verdict.holder.full_name, birth_date=verdict.holder.birth_date),
        doses=_doses(verdict.doses, caller.language),
    )
