"""Generated administrative maps in the shape of the real ones, for ``niis import-places``
at national scale (``bench/places_import.py``) and its test (a small one).

The pre-2025 map: provinces valid from 1991 (the 34 seeded codes first, so their history
is extended back, then other codes), districts and communes, with the changes of the
years between (districts renamed in 2008, communes moved to a neighbouring district in
2012, communes merged in 2019). The post-reform list (1 July 2025): the provinces that
are not among the 34 merged into one that is, every district abolished (its communes pass
to the province), and the communes merged down to ``survivors`` (3,321 at national scale,
each renamed). Everything is derived from the indexes, so the files are the same on every
run.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from api.places.importer import SEED_FILE

HEADER = "code,name,level,parent_code,valid_from,event,successor_code\n"
FROM = date(1991, 10, 1)
RENAMED = date(2008, 8, 1)
MOVED = date(2012, 1, 1)
MERGED = date(2019, 12, 1)
REFORM = date(2025, 7, 1)


def seeded_provinces() -> list[str]:
    with SEED_FILE.open(encoding="utf-8") as seed:
        return [row["code"] for row in csv.DictReader(seed) if row["level"] == "province"]


@dataclass(frozen=True)
class NationalMap:
    provinces: int = 63
    districts_per_province: int = 11
    communes_per_district: int = 15
    survivors: int = 3321
    # Where the generated district and commune codes start (a test world has its own).
    first_district: int = 1
    first_commune: int = 1

    @cached_property
    def province_codes(self) -> list[str]:
        seeded = seeded_provinces()
        others = [f"{n:02d}" for n in range(1, 100) if f"{n:02d}" not in seeded]
        return (seeded + others)[: self.provinces]

    @cached_property
    def seeded(self) -> set[str]:
        return set(seeded_provinces())

    def district(self, province: int, index: int) -> int:
        return province * self.districts_per_province + index

    def district_code(self, district: int) -> str:
        return f"{self.first_district + district:03d}"

    def commune_code(self, commune: int) -> str:
        return f"{self.first_commune + commune:05d}"

    @property
    def communes(self) -> int:
        return self.provinces * self.districts_per_province * self.communes_per_district

    def survives(self, commune: int) -> bool:
        """Survivors are spread evenly: the communes where ``i * survivors / communes`` steps up."""
        share = self.survivors / self.communes
        return commune == 0 or int(commune * share) != int((commune - 1) * share)

    def survivor_of(self, commune: int) -> int:
        while not self.survives(commune):
            commune -= 1
        return commune

    def merged_early(self, commune: int) -> bool:
        return commune % 40 == 7 and not self.survives(commune)

    def moved(self, commune: int) -> bool:
        return commune % 50 == 11 and not self.survives(commune)

    def before_2025(self) -> str:
        lines = []
        for p, province in enumerate(self.province_codes):
            lines.append(f"{province},Tỉnh P{province},province,VN,{FROM},,")
            for d in range(self.districts_per_province):
                district = self.district(p, d)
                code = self.district_code(district)
                lines.append(f"{code},Huyện H{code},district,{province},{FROM},,")
                if district % 7 == 3:
                    lines.append(f"{code},Thị xã H{code},district,,{RENAMED},renamed,")
                for c in range(self.communes_per_district):
                    commune = district * self.communes_per_district + c
                    name = self.commune_code(commune)
                    lines.append(f"{name},Xã X{name},commune,{code},{FROM},,")
        for p in range(self.provinces):
            for d in range(self.districts_per_province):
                district = self.district(p, d)
                neighbour = self.district_code(self.district(p, (d + 1) % self.districts_per_province))
                for c in range(self.communes_per_district):
                    commune = district * self.communes_per_district + c
                    code = self.commune_code(commune)
                    if self.moved(commune):
                        lines.append(f"{code},Xã X{code},commune,{neighbour},{MOVED},moved,")
                    elif self.merged_early(commune):
                        into = self.commune_code(self.survivor_of(commune))
                        lines.append(f"{code},,,,{MERGED},merged_into,{into}")
        return HEADER + "\n".join(lines) + "\n"

    def reform(self) -> str:
        seeded = [code for code in self.province_codes if code in self.seeded]
        lines = []
        for p, province in enumerate(self.province_codes):
            if province not in self.seeded:
                lines.append(f"{province},,province,,{REFORM},merged_into,{seeded[p % len(seeded)]}")
        for district in range(self.provinces * self.districts_per_province):
            lines.append(f"{self.district_code(district)},,district,,{REFORM},abolished,")
        for commune in range(self.communes):
            code = self.commune_code(commune)
            if self.survives(commune):
                lines.append(f"{code},Phường M{code},commune,,{REFORM},renamed,")
            elif not self.merged_early(commune):
                lines.append(f"{code},,commune,,{REFORM},merged_into,{self.commune_code(self.survivor_of(commune))}")
        return HEADER + "\n".join(lines) + "\n"
