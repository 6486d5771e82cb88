"""Believable Vietnamese people for the demo data (deterministic for a given seed)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

# Family names with their rough share of the population.
FAMILY_NAMES = [
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9.5),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Huỳnh", 3),
    ("Phan", 4.5),
    ("Vũ", 3.9),
    ("Võ", 2),
    ("Đặng", 2.1),
    ("Bùi", 2),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1),
    ("Lý", 0.5),
    ("Đinh", 0.6),
    ("Trịnh", 0.5),
    ("Mai", 0.4),
    ("Lương", 0.4),
]
MIDDLE = {
    "M": ["Văn", "Minh", "Đức", "Gia", "Quang", "Hữu", "Thành", "Anh", "Bảo", "Tuấn"],
    "F": ["Thị", "Ngọc", "Thu", "Minh", "Thanh", "Bảo", "Khánh", "Phương", "Hồng", "Diệu"],
}
GIVEN = {
    "M": [
        "An",
        "Bình",
        "Cường",
        "Dũng",
        "Khang",
        "Khoa",
        "Long",
        "Minh",
        "Nam",
        "Phúc",
        "Quân",
        "Sơn",
        "Tài",
        "Thắng",
        "Trung",
        "Vinh",
        "Huy",
        "Hiếu",
        "Đạt",
        "Kiên",
    ],
    "F": [
        "An",
        "Anh",
        "Chi",
        "Giang",
        "Hà",
        "Hạnh",
        "Hoa",
        "Hương",
        "Lan",
        "Linh",
        "Mai",
        "My",
        "Ngân",
        "Nhi",
        "Thảo",
        "Trang",
        "Vy",
        "Yến",
        "Ngọc",
        "Châu",
    ],
}
MOBILE_PREFIXES = [
    "090",
    "091",
    "093",
    "094",
    "096",
    "097",
    "098",
    "086",
    "088",
    "032",
    "033",
    "035",
    "037",
    "039",
    "070",
    "077",
    "081",
    "083",
    "085",
]
STREETS = [
    "Tân Trào",
    "Nguyễn Trãi",
    "Lê Lợi",
    "Quang Trung",
    "Trần Hưng Đạo",
    "Bình Thuận",
    "Phan Thiết",
    "Chiến Thắng Sông Lô",
    "Minh Xuân",
    "17 Tháng 8",
]


@dataclass(frozen=True)
class Person:
    full_name: str
    sex: str
    birth_date: date


class PeopleMaker:
    def __init__(self, seed: int = 2026) -> None:
        self.rng = random.Random(seed)
        self._families = [name for name, _ in FAMILY_NAMES]
        self._weights = [weight for _, weight in FAMILY_NAMES]

    def family_name(self) -> str:
        return self.rng.choices(self._families, self._weights)[0]

    def name(self, sex: str, family: str | None = None) -> str:
        middle = "Thị" if sex == "F" and self.rng.random() < 0.5 else self.rng.choice(MIDDLE[sex])
        return f"{family or self.family_name()} {middle} {self.rng.choice(GIVEN[sex])}"

    def person(self, *, born_between: tuple[date, date], sex: str | None = None, family: str | None = None) -> Person:
        sex = sex or self.rng.choice("MF")
        start, end = born_between
        born = start + timedelta(days=self.rng.randrange(max(1, (end - start).days)))
        return Person(self.name(sex, family), sex, born)

    def phone(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + "".join(str(self.rng.randrange(10)) for _ in range(7))

    def address(self) -> str:
        return f"Số {self.rng.randrange(1, 200)}, đường {self.rng.choice(STREETS)}"
