"""Name keys, trigrams and the one scorer: pure functions, no database."""

from __future__ import annotations

import pytest

from api.registry.identity.names import display_name, fold, name_key, one_typo_away, similarity, trigrams
from api.registry.search.ranking import EXACT, SAME_ORDER, SAME_WORDS, NameQuery, score


@pytest.mark.parametrize(
    "typed", ["Nguyễn Văn An", "nguyen van an", "NGUYỄN  VĂN   AN", "An Nguyễn Văn", "Văn-An, Nguyễn", "Nguyễn Văn Ân"]
)
def test_the_key_ignores_accents_case_order_and_punctuation(typed: str) -> None:
    assert name_key(typed) == "an nguyen van"


def test_d_with_stroke_folds_to_d() -> None:
    assert fold("Đặng Đức Đạt") == "dang duc dat"
    assert display_name("  đặng   đức đạt ") == "Đặng Đức Đạt"


def test_trigrams_are_pg_trgms() -> None:
    # show_trgm('an') = {"  a"," an","an "}: each word padded with two spaces before, one after.
    assert trigrams("an") == {"  a", " an", "an "}
    assert trigrams("an van") == {"  a", " an", "an ", "  v", " va", "van"}
    assert similarity("an nguyen van", "an nguyen van") == 1.0
    assert similarity("", "an") == 0.0


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("ahn", "anh"), ("ahn", "an"), ("mnh", "minh"), ("khi", "khoi"), ("ngyuen", "nguyen"), ("nguyenn", "nguyen")],
)
def test_one_typo_away(typed: str, meant: str) -> None:
    assert meant in one_typo_away(typed)


def test_short_words_may_only_have_lost_their_last_letter() -> None:
    assert one_typo_away("a") == frozenset()
    assert {"anh", "ang"} <= one_typo_away("an")
    assert not {"van", "lan", "a", "ai"} & one_typo_away("an")
    assert "ba" in one_typo_away("bay") and "bay" not in one_typo_away("bay")


def test_typos_need_a_different_word_each() -> None:
    query = NameQuery("Nguyễn Văn Ahn")
    assert query.typos_in("anh nguyen van") == 1
    assert query.typos_in("an nguyen van") == 1
    assert query.typos_in("anh nguyen thi") is None
    assert query.typos_in("nguyen van") is None  # fewer words than typed
    assert NameQuery("Ann Anh").typos_in("an anh") == 1  # "ann" must take "an", as "anh" is taken
    assert NameQuery("Nguyễn An").typos_in("binh nguyen van") is None  # "An" is not a typo of "Văn"
    assert NameQuery("Thu Thu").typos_in("thu van") is None  # one "thu" cannot answer twice


def test_ladder_exact_then_accents_then_order_then_partial_then_typos() -> None:
    query = NameQuery("Trần Minh Khôi")
    ranked = [
        ("Trần Minh Khôi", EXACT),
        ("trần minh khôi", EXACT),  # case is not spelling
        ("Trần Mình Khối", SAME_ORDER),
        ("Khôi Trần Minh", SAME_WORDS),
    ]
    for name, expected in ranked:
        assert query.score(name) == expected, name
    partial = NameQuery("Trần Khôi").score("Trần Minh Khôi")
    one_typo = query.score("Trần Minh Khoa")
    two_typos = query.score("Trần Mnh Khi")
    assert SAME_WORDS > partial > one_typo > two_typos > 0
    assert query.score("Võ Minh Khoa") == 0  # "Võ" is not a typo of "Trần"


def test_a_partial_name_ranks_shorter_names_first() -> None:
    query = NameQuery("Nguyễn An")
    assert query.score("Nguyễn Văn An") > query.score("Nguyễn Ngọc Bảo An") > 0
    assert query.score("An") == 0
    assert NameQuery("Nguyễn Văn An").score("Nguyễn Văn Anh") == 0.85  # "An" for "Anh": one typo


def test_score_is_the_prepared_querys_score() -> None:
    assert score("Nguyen Van An", "Nguyễn Văn Ân") == NameQuery("Nguyen Van An").score("Nguyễn Văn Ân") == SAME_ORDER
    assert score("Lê Thị Hồng", "Võ Minh Khoa") == 0
    assert score("", "Võ Minh Khoa") == 0


def test_similarity_is_symmetric() -> None:
    a, b = name_key("Nguyễn Văn An"), name_key("Ngyuen Van Anh")
    assert similarity(a, b) == similarity(b, a) < 1
