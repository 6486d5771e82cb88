"""Name keys for search: what stays of a Vietnamese name when case, diacritics and word
order are set aside (``Nguyễn Văn An`` → ``an nguyen van``)."""

from __future__ import annotations

import unicodedata

_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower case, no diacritics, single spaces: ``Nguyễn  Văn Ân`` → ``nguyen van an``."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL).lower())
    plain = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    words = "".join(c if c.isalnum() else " " for c in plain).split()
    return " ".join(words)


def name_key(full_name: str) -> str:
    """The search key: folded words, sorted, so word order does not matter."""
    return " ".join(sorted(fold(full_name).split()))


def display_name(full_name: str) -> str:
    """A name as people write it: single spaces, each word capitalised (NFC)."""
    words = unicodedata.normalize("NFC", full_name).split()
    return " ".join(w[:1].upper() + w[1:].lower() for w in words)


def trigrams(key: str) -> set[str]:
    """Trigrams of each word padded with spaces, as pg_trgm makes them, so that both
    engines find the same candidates."""
    grams: set[str] = set()
    for word in key.split():
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(a: str, b: str) -> float:
    """Shared trigrams over all trigrams (pg_trgm's ``similarity``), 0 to 1."""
    left, right = trigrams(a), trigrams(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


# What a slip of the finger may put into a word: a name key's words are made of these.
TYPO_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"


def one_typo_away(word: str) -> frozenset[str]:
    """Every word one typo from ``word``: a letter dropped, added, replaced, or two
    neighbours swapped. A two-letter word may only have lost its last letter ("An" for
    "Anh"): any edit of it would reach every short word ("An" → "Văn", "Lan" ...); a
    one-letter word must be typed right."""
    if len(word) < 2:
        return frozenset()
    letters = TYPO_LETTERS + "".join(sorted(set(word) - set(TYPO_LETTERS)))
    if len(word) == 2:
        return frozenset(word + c for c in letters)
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    found = {a + b[1:] for a, b in splits if b}
    found.update(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1)
    found.update(a + c + b[1:] for a, b in splits if b for c in letters)
    found.update(a + c + b for a, b in splits for c in letters)
    found.discard(word)
    return frozenset(found)
