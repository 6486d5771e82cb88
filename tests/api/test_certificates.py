"""Vaccination certificates (SMART Health Cards) through the API: a child's card holds
their administered doses (not the voided one) and verifies, here and as an outside
verifier app would check it (the JWK set served by the app, joserfc directly); a card
changed by one digit or signed by another key fails; a photo of the QR verifies through
the real decoder; a parent gets only their own children's cards.

The world is tests/world.py's: S1 (Nguyễn Văn An, born 14 March 2025, managed by F1) is
parent1's child; S2 another family's. The stock world is test_stock's (vac1 gives from F1).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import uuid
import zlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc import jws
from joserfc.jwk import ECKey, KeySet
from joserfc.registry import HeaderParameter

from api import cli
from api.certificates import shc
from api.settings import Settings, SettingsError
from tests.api.test_stock import Stock, _receive
from tests.world import World

PENTAVALENT = "198"
HISTORY = [  # as read from the child's paper card: code, date, lot, where
    ("08", "2025-03-14", "HB0314", "Bệnh viện Phụ sản Hà Nội"),
    ("19", "2025-03-20", "BCG0320", "Bệnh viện Phụ sản Hà Nội"),
    ("119", "2025-05-16", "ROTA516", "Phòng khám tư"),
]


def _new_pem() -> str:
    return ECKey.generate_key("P-256", private=True).as_pem(private=True).decode()


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def _dose(client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    answer = await client.post("/api/doses", json=body, headers={**headers, **_key()})
    assert answer.status_code == 201, answer.text
    dose: dict[str, Any] = answer.json()["dose"]
    return dose


async def _history(client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock) -> None:
    """S1's doses: three from the paper card, one given at F1 from stock, and one recorded
    by mistake and voided (lot WRONG1)."""
    vac = await token_for("vac1")
    for code, on, lot, where in HISTORY:
        body = {"vaccine_code": code, "source": "historical", "administered_on": on, "lot_number": lot}
        await _dose(client, vac, {"subject_id": world.subjects["S1"], **body, "given_elsewhere": where})
    await _receive(stock, "F1", "penta_a", 10)
    given = {"vaccine_code": PENTAVALENT, "store_id": stock.stores["F1"]["id"], "lot_id": stock.lots["penta_a"]}
    await _dose(client, vac, {"subject_id": world.subjects["S1"], **given, "route": "IM", "site": "left_thigh"})
    wrong = {"vaccine_code": "10", "source": "historical", "administered_on": "2025-05-20", "lot_number": "WRONG1"}
    mistake = await _dose(client, vac, {"subject_id": world.subjects["S1"], **wrong})
    voided = await client.post(
        f"/api/doses/{mistake['id']}/void", json={"reason": "wrong child"}, headers={**vac, **_key()}
    )
    assert voided.status_code == 200, voided.text


async def _card(client: httpx.AsyncClient, headers: dict[str, str], subject_id: int) -> dict[str, Any]:
    answer = await client.get(f"/api/subjects/{subject_id}/certificate", headers=headers)
    assert answer.status_code == 200, answer.text
    card: dict[str, Any] = answer.json()
    return card


@pytest.fixture
async def s1_card(client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock) -> dict[str, Any]:
    """S1's certificate as parent1 gets it, after the history above (its voided dose's lot: WRONG1)."""
    await _history(client, token_for, world, stock)
    return await _card(client, await token_for("parent1"), world.subjects["S1"])


async def _verify(client: httpx.AsyncClient, headers: dict[str, str], text: str) -> dict[str, Any]:
    answer = await client.post("/api/certificates/verify", json={"shc": text}, headers=headers)
    assert answer.status_code == 200, answer.text
    verdict: dict[str, Any] = answer.json()
    return verdict


def _as_verifier_app(text: str, key_set: dict[str, Any]) -> dict[str, Any]:
    """What an outside verifier does with our card and our published keys alone."""
    assert text.startswith("shc:/")
    digits = text.removeprefix("shc:/")
    token = "".join(chr(int(digits[i : i + 2]) + 45) for i in range(0, len(digits), 2))
    registry = jws.JWSRegistry(header_registry={"zip": HeaderParameter("zip", "str")}, algorithms=["ES256"])
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "ES256" and header["zip"] == "DEF"
    keys = KeySet.import_key_set(key_set)
    signed = jws.deserialize_compact(token, keys.get_by_kid(header["kid"]), registry=registry)
    claims: dict[str, Any] = json.loads(zlib.decompress(signed.payload, -15))
    return claims


async def test_a_childs_certificate_holds_the_given_doses_and_verifies_as_a_verifier_app_checks_it(
    client: httpx.AsyncClient, token_for: Any, s1_card: dict[str, Any]
) -> None:
    card = s1_card

    assert card["patient"] == {"name": "Nguyễn Văn An", "birth_date": "2025-03-14"}
    assert [d["vaccine_code"] for d in card["doses"]] == ["08", "19", "119", PENTAVALENT]
    assert "WRONG1" not in {d["lot_number"] for d in card["doses"]}  # the voided dose
    assert card["doses"][-1]["lot_number"] == "PA001" and card["doses"][-1]["performer"]  # F1's name
    assert card["doses"][0]["performer"] == "Bệnh viện Phụ sản Hà Nội"
    assert card["shc"].startswith("shc:/") and card["qr_version"] <= shc.MAX_QR_VERSION
    assert card["qr_svg"].startswith('<svg xmlns="http://www.w3.org/2000/svg"') and not card["shortened"]

    # The verify route says valid, with who and which doses.
    verdict = await _verify(client, await token_for("vac1"), card["shc"])
    assert verdict["valid"] is True, verdict
    assert verdict["patient"] == card["patient"]
    assert [(d["vaccine_code"], d["date"]) for d in verdict["doses"]] == [
        (d["vaccine_code"], d["date"]) for d in card["doses"]
    ]

    # An outside verifier: the JWK set this app serves, the numeric form, inflate, the JWS.
    key_set = (await client.get("/.well-known/jwks.json")).json()
    claims = _as_verifier_app(card["shc"], key_set)
    assert claims["iss"] == "http://127.0.0.1:8000"  # the configured public base URL
    assert abs(claims["nbf"] - datetime.now(UTC).timestamp()) < 600
    assert "https://smarthealth.cards#health-card" in claims["vc"]["type"]
    subject = claims["vc"]["credentialSubject"]
    assert subject["fhirVersion"] == "4.0.1"
    resources = [entry["resource"] for entry in subject["fhirBundle"]["entry"]]
    assert resources[0] == {
        "resourceType": "Patient", "name": [{"family": "Nguyễn", "given": ["Văn An"]}], "birthDate": "2025-03-14",
    }  # fmt: skip
    immunizations = resources[1:]
    assert {r["resourceType"] for r in immunizations} == {"Immunization"}
    assert immunizations[2]["vaccineCode"] == {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "119"}]}
    assert immunizations[2]["occurrenceDateTime"] == "2025-05-16" and immunizations[2]["lotNumber"] == "ROTA516"
    assert immunizations[2]["patient"] == {"reference": "resource:0"}
    assert immunizations[2]["performer"] == [{"actor": {"display": "Phòng khám tư"}}]


def _tampered(text: str) -> str:
    """One digit of the payload changed, so it still reads as a JWS (a base64url character
    replaced by another), but its content is not what was signed."""
    digits = text.removeprefix("shc:/")
    token = "".join(chr(int(digits[i : i + 2]) + 45) for i in range(0, len(digits), 2))
    payload_start = 2 * (token.index(".") + 1)
    for i in range(payload_start + 40, len(digits), 2):
        pair = digits[i : i + 2]
        changed = pair[0] + str((int(pair[1]) + 1) % 10)
        if chr(int(changed) + 45).isalnum():
            return "shc:/" + digits[:i] + changed + digits[i + 2 :]
    raise AssertionError("no digit to change")


async def test_a_changed_or_foreign_card_fails_and_says_why(
    client: httpx.AsyncClient, token_for: Any, s1_card: dict[str, Any]
) -> None:
    vac = await token_for("vac1")
    card = s1_card
    ours = (await client.get("/.well-known/jwks.json")).json()["keys"][0]

    tampered = await _verify(client, vac, _tampered(card["shc"]))
    assert tampered["valid"] is False and tampered["reason"] == "bad_signature", tampered
    assert "changed or forged" in tampered["message"] and tampered["patient"] is None

    # Someone else's key, under our issuer URL: an unknown key; under our kid: a bad signature.
    foreign = shc.Issuer.from_pem("http://127.0.0.1:8000", _new_pem())
    holder = shc.Holder("Nguyễn Văn An", date(2025, 3, 14))
    forged = shc.issue(foreign, holder, [shc.Vaccination("08", date(2025, 3, 14))], datetime.now(UTC))
    unknown = await _verify(client, vac, forged.numeric)
    assert unknown["valid"] is False and unknown["reason"] == "unknown_key"

    class Impostor(shc.Issuer):
        @property
        def kid(self) -> str:
            return str(ours["kid"])

    impostor = Impostor(foreign.url, foreign.key)
    stolen_kid = shc.issue(impostor, holder, [shc.Vaccination("08", date(2025, 3, 14))], datetime.now(UTC))
    assert (await _verify(client, vac, stolen_kid.numeric))["reason"] == "bad_signature"

    for text, reason in (
        ("NIIS1|7KM29QXHQ|ABCDEFGHIJ", "not_shc"),
        ("shc:/56762909", "malformed"),
        ("shc:/5676290952432060", "malformed"),
        ("shc:/1/2/5676", "malformed"),
        ("shc:/999", "malformed"),
    ):
        verdict = await _verify(client, vac, text)
        assert (verdict["valid"], verdict["reason"]) == (False, reason), (text, verdict)
    # A body of the wrong shape is the caller's mistake, named.
    wrong = await client.post("/api/certificates/verify", json={"qr": "shc:/"}, headers=vac)
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "invalid_request"


@pytest.mark.usefixtures("english")  # checks the words as raised
async def test_a_photo_of_the_qr_verifies_through_the_decoder(
    client: httpx.AsyncClient, token_for: Any, s1_card: dict[str, Any]
) -> None:
    parent = await token_for("parent1")
    card = s1_card
    photo = io.BytesIO()
    shc.qr(card["shc"]).save(photo, kind="png", scale=4, border=4)

    answer = await client.post(
        "/api/certificates/verify", content=photo.getvalue(), headers={**parent, "Content-Type": "image/png"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["valid"] is True and answer.json()["patient"]["name"] == "Nguyễn Văn An"

    blank = io.BytesIO()
    from PIL import Image

    Image.new("L", (200, 200), 255).save(blank, "PNG")
    nothing = await client.post(
        "/api/certificates/verify", files={"file": ("blank.png", blank.getvalue(), "image/png")}, headers=parent
    )
    assert nothing.status_code == 422 and "No QR code" in nothing.json()["error"]["message"]


async def test_a_parent_gets_only_their_own_childrens_certificates(
    client: httpx.AsyncClient, token_for: Any, world: World
) -> None:
    parent = await token_for("parent1")
    other_family = await client.get(f"/api/subjects/{world.subjects['S2']}/certificate", headers=parent)
    assert other_family.status_code == 404
    # A child with no dose yet still gets a card: who they are, no doses.
    own = await _card(client, parent, world.subjects["S1"])
    assert own["doses"] == [] and own["patient"]["name"] == "Nguyễn Văn An"
    anonymous = await client.get(f"/api/subjects/{world.subjects['S1']}/certificate")
    assert anonymous.status_code == 401


async def test_the_jwks_serves_the_issuer_key_under_its_thumbprint(client: httpx.AsyncClient) -> None:
    answer = await client.get("/.well-known/jwks.json")

    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "public" in answer.headers["cache-control"]
    [key] = answer.json()["keys"]
    assert {k: key[k] for k in ("kty", "crv", "use", "alg")} == {
        "kty": "EC",
        "crv": "P-256",
        "use": "sig",
        "alg": "ES256",
    }
    assert "d" not in key  # never the private part
    # RFC 7638: SHA-256 of the required members in lexical order, no whitespace, base64url.
    canonical = json.dumps({m: key[m] for m in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True)
    thumbprint = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
    assert key["kid"] == thumbprint


def _issuer() -> shc.Issuer:
    return shc.Issuer.from_pem("https://tiemchung.example.vn", _new_pem())


def test_a_typical_childs_fifteen_doses_fit_one_qr_and_beyond_that_the_card_is_shortened_or_refused() -> None:
    issuer = _issuer()
    holder = shc.Holder("Nguyễn Thị Minh Khai", date(2024, 1, 10))
    codes = ["08", "19", "198", "198", "198", "10", "10", "10", "119", "119", "03", "VN-JE-CHIMERIC", "134", "05", "21"]
    fifteen = [
        shc.Vaccination(code, date(2024, 1 + i % 12, 10), f"LOT{i:03d}X24", "Trạm Y tế phường Ba Đình")
        for i, code in enumerate(codes)
    ]
    card = shc.issue(issuer, holder, fifteen, datetime.now(UTC))
    assert not card.shortened and len(card.jws) <= shc.MAX_JWS
    assert shc.qr(card.numeric).version <= shc.MAX_QR_VERSION
    assert shc.verify(card.numeric, issuer).doses[11].vaccine_code == "VN-JE-CHIMERIC"

    # Three times as many: lot numbers and places go, vaccines and dates stay.
    many = fifteen * 3
    shortened = shc.issue(issuer, holder, many, datetime.now(UTC))
    assert shortened.shortened and shc.qr(shortened.numeric).version <= shc.MAX_QR_VERSION
    read = shc.verify(shortened.numeric, issuer)
    assert read.valid and len(read.doses) == 45 and read.doses[0].lot_number == ""
    with pytest.raises(shc.CardTooLarge, match="do not fit in one SMART Health Card"):
        shc.issue(issuer, holder, fifteen * 8, datetime.now(UTC))


def test_the_issuer_key_is_generated_once_embedded_and_required_in_production(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    embedded = Settings.from_environment({"NIIS_VAR_DIR": str(tmp_path)})
    again = Settings.from_environment({"NIIS_VAR_DIR": str(tmp_path)})
    assert embedded.issuer_key_pem == again.issuer_key_pem  # kept: printed cards stay valid
    assert (tmp_path / "issuer_key.pem").stat().st_mode & 0o077 == 0

    production = {"NIIS_ENV": "production", "NIIS_SECRET_KEY": "s" * 40, "NIIS_VAR_DIR": str(tmp_path / "prod")}
    # The nightly jobs of an installation without the key still run; serving refuses to start.
    without = Settings.from_environment(production)
    assert without.issuer_key_pem == "" and not (tmp_path / "prod").exists()
    with pytest.raises(SettingsError, match="NIIS_ISSUER_KEY_FILE is required"):
        without.require_issuer_key()
    monkeypatch.setattr(os, "environ", {**os.environ, **production})
    assert cli.main(["serve", "--port", "1"]) == 2
    assert "NIIS_ISSUER_KEY_FILE is required" in capsys.readouterr().err
    key_file = tmp_path / "issuer.pem"
    key_file.write_bytes(ECKey.generate_key("P-384").as_pem(private=True))
    with pytest.raises(SettingsError, match="P-256"):
        Settings.from_environment({**production, "NIIS_ISSUER_KEY_FILE": str(key_file)})
    key_file.write_text("not a key")
    with pytest.raises(SettingsError, match="not a PEM private key"):
        Settings.from_environment({**production, "NIIS_ISSUER_KEY_FILE": str(key_file)})
    key_file.write_bytes(_new_pem().encode())
    configured = Settings.from_environment({**production, "NIIS_ISSUER_KEY_FILE": str(key_file)})
    assert configured.issuer_key_pem == key_file.read_text()
