"""Made-up but valid payloads: GS1 vial and carton data, ID cards, subject cards."""

from __future__ import annotations

import datetime as dt
import random
import string

from biip.gs1_messages import GS1Message

FAMILY_NAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE_NAMES = ["Văn", "Thị", "Hữu", "Đức", "Ngọc", "Thanh", "Minh", "Quốc", "Thùy", "Xuân"]
GIVEN_NAMES = [
    "An",
    "Bảo",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Hưng",
    "Khánh",
    "Linh",
    "Lộc",
    "Mỹ",
    "Nga",
    "Phúc",
    "Quyên",
    "Sơn",
    "Tâm",
    "Thủy",
    "Trí",
    "Tuyết",
    "Uyên",
    "Vượng",
    "Yến",
    "Ánh",
    "Ửng",
]
PLACES = [
    "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
    "Xã Đông Hưng, Huyện Tiên Lữ, Hưng Yên",
    "Phường Tràng Tiền, Quận Hoàn Kiếm, Hà Nội",
    "Thôn Phước Lộc, Xã Tịnh Ấn Tây, Quảng Ngãi",
    "Số 12 Ngõ 34 Đường Nguyễn Trãi, Phường Khương Trung, Quận Thanh Xuân, Hà Nội",
]
PROVINCES = ["001", "079", "031", "048", "092", "038", "040"]


def check_digit(digits: str) -> str:
    """GS1 mod-10 check digit of ``digits`` (weights 3,1,3,… from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def gtin14(rng: random.Random) -> str:
    """A GTIN-14 with a valid check digit (Vietnam's prefix 893)."""
    body = "0893" + "".join(rng.choice(string.digits) for _ in range(9))
    return body + check_digit(body)


def sscc(rng: random.Random) -> str:
    """An 18-digit SSCC with a valid check digit."""
    body = "0893" + "".join(rng.choice(string.digits) for _ in range(13))
    return body + check_digit(body)


def lot(rng: random.Random) -> str:
    """A lot number as vaccine makers print them."""
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(1, 3)))
    return letters + "".join(rng.choice(string.digits) for _ in range(rng.randint(3, 7)))


def expiry(rng: random.Random) -> str:
    """YYMMDD; one in four uses day 00 (end of month), as many vaccines do."""
    year, month = rng.randint(26, 30), rng.randint(1, 12)
    day = 0 if rng.random() < 0.25 else rng.randint(1, 28)
    return f"{year:02d}{month:02d}{day:02d}"


def vial_hri(rng: random.Random) -> str:
    """GS1 DataMatrix content of a vial: GTIN, expiry, lot, serial."""
    serial = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(10))
    return f"(01){gtin14(rng)}(17){expiry(rng)}(10){lot(rng)}(21){serial}"


def carton_sscc_hri(rng: random.Random) -> str:
    """GS1-128 content of a shipping unit's SSCC."""
    return f"(00){sscc(rng)}"


def carton_content_hri(rng: random.Random) -> str:
    """GS1-128 content of a carton: contained GTIN, count, lot, expiry."""
    return f"(02){gtin14(rng)}(37){rng.randint(10, 400)}(10){lot(rng)}(17){expiry(rng)}"


def element_string(hri: str) -> str:
    """The symbol content of bracketed GS1 data (GS after variable fields)."""
    return GS1Message.parse_hri(hri).value


def person(rng: random.Random) -> tuple[str, dt.date, bool]:
    """A name, a birth date and whether the person is female."""
    female = rng.random() < 0.5
    middle = "Thị" if female and rng.random() < 0.6 else rng.choice(MIDDLE_NAMES)
    name = f"{rng.choice(FAMILY_NAMES)} {middle} {rng.choice(GIVEN_NAMES)}"
    born = dt.date(rng.randint(1950, 2024), rng.randint(1, 12), rng.randint(1, 28))
    return name, born, female


def personal_id(rng: random.Random, born: dt.date, female: bool) -> str:
    """A 12-digit number consistent with ``born`` and the sex."""
    century = (born.year - 1900) // 100
    digit = 2 * century + (1 if female else 0)
    tail = "".join(rng.choice(string.digits) for _ in range(6))
    return f"{rng.choice(PROVINCES)}{digit}{born.year % 100:02d}{tail}"


def citizen_id_text(rng: random.Random) -> tuple[str, str]:
    """A citizen ID card QR payload and the holder's name."""
    name, born, female = person(rng)
    number = personal_id(rng, born, female)
    old = "".join(rng.choice(string.digits) for _ in range(9)) if rng.random() < 0.7 else ""
    issued = dt.date(rng.randint(2021, 2025), rng.randint(1, 12), rng.randint(1, 28))
    fields = [
        number,
        old,
        name,
        born.strftime("%d%m%Y"),
        "Nữ" if female else "Nam",
        rng.choice(PLACES),
        issued.strftime("%d%m%Y"),
    ]
    return "|".join(fields), name


SUBJECT_CARD_PREFIX = "NIIS-S1"


def subject_card_text(rng: random.Random) -> str:
    """A stand-in for the registry's subject card QR (its format is not fixed yet)."""
    name, born, _ = person(rng)
    code = "".join(rng.choice("ABCDEFGHJKMNPQRSTVWXYZ0123456789") for _ in range(10))
    return f"{SUBJECT_CARD_PREFIX}|{code}|{name}|{born.isoformat()}"
