"""The lifelong code: what is accepted as typed, what is refused, and how a query is
classified (a code only when its check character holds)."""

from __future__ import annotations

import itertools

import pytest

from api.registry.identity import codes
from api.registry.search.services import classify

# Check characters worked out by hand (ISO 7064 MOD 37-2 over Crockford values: the body
# characters weigh 2⁸ … 2¹ mod 37, i.e. 34 17 27 32 16 8 4 2; the check value c makes
# sum + c ≡ 1 mod 37, and c = 32 … 36 is written * ~ $ = U). For 10KM2Q1X:
# 1·34 + 0·17 + 19·27 + 20·32 + 2·16 + 23·8 + 1·4 + 29·2 = 1465 ≡ 22, c = 16 = G.
CODE = "10KM2Q1XG"
KNOWN = [
    ("10KM2Q1X", "G"),
    ("7KM29QXH", "Q"),  # 1643 ≡ 15, c = 23 = Q: the example on the card and in the docs
    ("00000000", "1"),  # 0, c = 1
    ("00000001", "U"),  # 2, c = 36
    ("00000002", "$"),  # 4, c = 34
    ("0000000Z", "D"),  # 62 ≡ 25, c = 13
    ("10000000", "4"),  # 34, c = 4
    ("ZZZZZZZZ", "V"),  # 31·140 = 4340 ≡ 11, c = 27
]


@pytest.mark.parametrize(("body", "check"), KNOWN)
def test_the_check_character_is_iso_7064_mod_37_2(body: str, check: str) -> None:
    assert codes.normalize(body + check) == body + check
    assert codes.display(body + check) == f"{body[:4]}-{body[4:]}-{check}"
    for wrong in codes.CHECK_ALPHABET.replace(check, ""):
        with pytest.raises(codes.CodeError, match="mistyped"):
            codes.normalize(body + wrong)


def test_the_example_code_is_valid() -> None:
    assert codes.normalize("7KM2-9QXH-Q") == "7KM29QXHQ"
    assert not codes.looks_like_code("7KM2-9QXH-C")


def test_a_new_code_is_valid_and_displayed_in_groups() -> None:
    code = codes.new_code()
    assert len(code) == 9 and all(c in codes.ALPHABET for c in code[:8])
    assert codes.normalize(code) == code
    shown = codes.display(code)
    assert shown == f"{code[:4]}-{code[4:8]}-{code[8]}"
    assert codes.normalize(shown) == code


@pytest.mark.parametrize(
    "typed",
    [
        CODE,
        codes.display(CODE),
        codes.display(CODE).lower(),
        f"  {CODE[:4]} {CODE[4:8]} {CODE[8:]} ",
        CODE.replace("0", "O"),  # Crockford: O reads as 0
        CODE.replace("1", "I"),  # I and L read as 1
        CODE.replace("1", "l").lower(),
    ],
)
def test_a_code_is_read_as_people_type_it(typed: str) -> None:
    assert codes.normalize(typed) == CODE
    assert classify(typed) == "code"


def test_every_single_wrong_character_is_caught() -> None:
    for at, char in itertools.product(range(len(CODE)), codes.ALPHABET):
        if char == CODE[at]:
            continue
        wrong = CODE[:at] + char + CODE[at + 1 :]
        assert not codes.looks_like_code(wrong), wrong


def test_every_swap_of_neighbours_is_caught() -> None:
    for at in range(len(CODE) - 1):
        if CODE[at] == CODE[at + 1]:
            continue
        swapped = CODE[:at] + CODE[at + 1] + CODE[at] + CODE[at + 2 :]
        assert not codes.looks_like_code(swapped), swapped


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("7KM2-9QXH", "A code has 9 characters (like 7KM2-9QXH-Q), not 8"),
        ("7KM2-9QXH-CC1", "A code has 9 characters (like 7KM2-9QXH-Q), not 11"),
        ("", "A code has 9 characters (like 7KM2-9QXH-Q), not 0"),
        ("UUUU-UUUU-U", "A code cannot contain 'UUUUUUUU'"),
        ("7KM2-UQXU-Q", "A code cannot contain 'UU'"),
        ("7KM2-9QXH-#", "A code cannot contain '#'"),
        ("7KM2-9QXH-C", "This code is mistyped: its last character does not match"),
    ],
)
def test_malformed_codes_are_refused_saying_why(typed: str, message: str) -> None:
    with pytest.raises(codes.CodeError) as refused:
        codes.normalize(typed)
    assert str(refused.value) == message


def test_a_mistyped_code_is_searched_as_a_name() -> None:
    wrong = CODE[:3] + ("A" if CODE[3] != "A" else "B") + CODE[4:]
    assert classify(codes.display(wrong)) == "name"


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("001225123456", "personal_id"),
        ("001 225 123 456", "personal_id"),
        ("0912 345 678", "phone"),
        ("+84912345678", "phone"),
        ("0912.345.678", "phone"),
        ("Nguyễn Văn An", "name"),
        ("an", "name"),
    ],
)
def test_what_was_typed_decides_the_search(typed: str, kind: str) -> None:
    assert classify(typed) == kind
