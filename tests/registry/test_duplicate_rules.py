"""The duplicate score, rule by rule, with literal dates and the literal score each
piece of evidence gives (``api/registry/duplicates.py``): same name 0.45, similar name
0.15 + 0.3 × trigram similarity, same birth date 0.3, day and month swapped (same year
only) 0.2, born within 7 days 0.15, within 31 days 0.05, more than 366 days apart −0.3,
another sex −0.3, same mother 0.15, same phone 0.2; a candidate scores at least 0.5."""

from __future__ import annotations

from datetime import date

import pytest

from api.registry.duplicates.services import Candidate, Profile, score_pair

AN = "an nguyen van"
BORN = date(2024, 3, 5)


def child(
    born: date,
    name: str = AN,
    sex: str = "M",
    *,
    personal_id: str | None = None,
    mothers: tuple[str, ...] = (),
    phones: tuple[str, ...] = (),
) -> Profile:
    return Profile(None, name, born, sex, personal_id, frozenset(mothers), frozenset(phones))


@pytest.mark.parametrize(
    ("a", "b", "score", "reasons"),
    [
        (date(2024, 3, 5), date(2024, 3, 5), 0.75, ("same_name", "same_birth_date")),
        # Day and month swapped in the same year: 5 March / 3 May.
        (date(2024, 3, 5), date(2024, 5, 3), 0.65, ("same_name", "swapped_birth_date")),
        (date(2024, 11, 2), date(2024, 2, 11), 0.65, ("same_name", "swapped_birth_date")),
        # The same day and month swapped, but another year: no swap (101 days apart, no evidence) ...
        (date(2024, 11, 2), date(2025, 2, 11), 0.45, ("same_name",)),
        (date(2025, 2, 11), date(2024, 11, 2), 0.45, ("same_name",)),
        # ... or more than a year apart (424 days): evidence against.
        (date(2024, 3, 5), date(2025, 5, 3), 0.15, ("same_name",)),
        # Only the day and only the month matching are no swap.
        (date(2024, 3, 5), date(2024, 5, 5), 0.45, ("same_name",)),
        (date(2024, 3, 5), date(2024, 3, 3), 0.6, ("same_name", "near_birth_date")),
        # Near birth dates: within 7 days, within 31 days, within 366 days, beyond.
        (date(2024, 3, 5), date(2024, 3, 12), 0.6, ("same_name", "near_birth_date")),
        (date(2024, 3, 12), date(2024, 3, 5), 0.6, ("same_name", "near_birth_date")),
        (date(2024, 3, 5), date(2024, 3, 13), 0.5, ("same_name", "near_birth_date")),
        (date(2024, 3, 5), date(2024, 4, 5), 0.5, ("same_name", "near_birth_date")),
        (date(2024, 3, 5), date(2024, 4, 6), 0.45, ("same_name",)),
        (date(2024, 3, 5), date(2025, 3, 6), 0.45, ("same_name",)),  # 366 days
        (date(2024, 3, 5), date(2025, 3, 7), 0.15, ("same_name",)),  # 367 days
        (date(2025, 3, 7), date(2024, 3, 5), 0.15, ("same_name",)),
    ],
)
def test_birth_date_evidence(a: date, b: date, score: float, reasons: tuple[str, ...]) -> None:
    assert score_pair(child(a), child(b)) == (score, reasons)


def test_a_similar_name_scores_by_its_trigram_similarity() -> None:
    # khoa/minh/vo and khoa/minh/vu share 11 of 15 trigrams: 0.15 + 0.3 × 11/15 = 0.37.
    a, b = child(BORN, "khoa minh vo"), child(BORN, "khoa minh vu")
    assert score_pair(a, b) == (0.67, ("similar_name", "same_birth_date"))
    # duy/duc/hoang and duy/duc/hoan share 10 of 13: 0.15 + 0.3 × 10/13 + 0.3 = 0.68077, shown as 0.681.
    assert score_pair(child(BORN, "duy duc hoang"), child(BORN, "duy duc hoan")) == (
        0.681,
        ("similar_name", "same_birth_date"),
    )
    # No trigram in common: the name is no evidence.
    assert score_pair(child(BORN, "khoa minh vo"), child(BORN, "lan thi do")) == (0.3, ("same_birth_date",))


def test_sex_family_and_personal_id() -> None:
    assert score_pair(child(BORN, sex="M"), child(BORN, sex="F")) == (
        0.45,
        ("same_name", "same_birth_date", "different_sex"),
    )
    # Unknown sex is no evidence either way.
    assert score_pair(child(BORN, sex="U"), child(BORN, sex="F")) == (0.75, ("same_name", "same_birth_date"))
    assert score_pair(child(BORN, sex="M"), child(BORN, sex="U")) == (0.75, ("same_name", "same_birth_date"))
    far = date(2024, 4, 6)  # 32 days: no birth evidence
    assert score_pair(child(BORN, mothers=("bich thi tran",)), child(far, mothers=("bich thi tran",))) == (
        0.6,
        ("same_name", "same_mother"),
    )
    assert score_pair(child(BORN, mothers=("bich thi tran",)), child(far, mothers=("lan thi do",))) == (
        0.45,
        ("same_name",),
    )
    assert score_pair(child(BORN, phones=("+84912345678",)), child(far, phones=("+84912345678",))) == (
        0.65,
        ("same_name", "same_phone"),
    )
    everything = {"mothers": ("bich thi tran",), "phones": ("+84912345678",)}
    assert score_pair(child(BORN, **everything), child(BORN, **everything))[0] == 1.0  # 1.1, capped
    assert score_pair(child(BORN, sex="M"), child(date(2025, 6, 1), sex="F")) == (0.0, ("same_name", "different_sex"))
    # Personal ID numbers on both sides decide alone.
    same = (
        child(BORN, personal_id="001224000123"),
        child(date(2020, 1, 1), "lan thi do", "F", personal_id="001224000123"),
    )
    assert score_pair(*same) == (1.0, ("same_personal_id",))
    other = child(BORN, personal_id="001224000123"), child(BORN, personal_id="001224000999")
    assert score_pair(*other) == (0.0, ("different_personal_id",))
    one_side = child(BORN, personal_id="001224000123"), child(BORN)
    assert score_pair(*one_side) == (0.75, ("same_name", "same_birth_date"))


def test_twins_are_always_candidates() -> None:
    """Same birth date and same mother or phone, another name: at least 0.55."""
    mother = {"mothers": ("bich thi tran",)}
    twins = child(BORN, "an nguyen van", **mother), child(BORN, "binh nguyen van", **mother)
    score, reasons = score_pair(*twins)
    assert score >= 0.55 and reasons[-1] == "possible_twin" and "same_mother" in reasons
    by_phone = (
        child(BORN, "khoa minh vo", phones=("+84912345678",)),
        child(BORN, "lan thi do", phones=("+84912345678",)),
    )
    assert score_pair(*by_phone) == (0.55, ("same_birth_date", "same_phone", "possible_twin"))
    by_mother = child(BORN, "khoa minh vo", **mother), child(BORN, "lan thi do", **mother)
    assert score_pair(*by_mother) == (0.55, ("same_birth_date", "same_mother", "possible_twin"))
    # Not on another day, nor without family in common, nor under the same name.
    assert score_pair(child(BORN, "khoa minh vo", **mother), child(date(2024, 3, 6), "lan thi do", **mother)) == (
        0.3,
        ("near_birth_date", "same_mother"),
    )
    assert score_pair(child(BORN, "khoa minh vo"), child(BORN, "lan thi do")) == (0.3, ("same_birth_date",))
    assert "possible_twin" not in score_pair(child(BORN, **mother), child(BORN, **mother))[1]


def test_a_candidate_explains_itself_in_either_language() -> None:
    candidate = Candidate(7, 0.65, ("same_name", "swapped_birth_date"), {"code": "10KM2Q1XG"})
    assert candidate.as_dict("en") == {
        "subject_id": 7,
        "score": 0.65,
        "code": "10KM2Q1XG",
        "reasons": [
            {"code": "same_name", "text": "Same name (ignoring accents and order)"},
            {"code": "swapped_birth_date", "text": "Birth date with day and month swapped"},
        ],
    }
    assert candidate.as_dict()["reasons"][1]["text"] == "Ngày sinh đảo ngày/tháng"
