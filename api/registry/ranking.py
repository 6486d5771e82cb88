"""One scorer for name search, whichever engine found the candidates.

A query is prepared once (:class:`NameQuery`) and scores every candidate:

* the same words as typed, whatever the accents, case and order (the same name key):
  1.5 when spelt exactly as typed, 1.2 with other accents in the same order, else 1.0;
* every typed word in a longer name (given and family name only): 0.8 to 0.9;
* otherwise the trigram similarity of the keys (each typo lowers it), below 1.

So the exact spelling comes first, then the same name with other accents, then partial
names, then names with one typo, then two.
"""

from __future__ import annotations

from api.registry.names import display_name, fold, name_key, trigrams

EXACT, SAME_ORDER, SAME_WORDS = 1.5, 1.2, 1.0


class NameQuery:
    """A typed name, prepared to score many candidates."""

    __slots__ = ("display", "folded", "grams", "key", "words")

    def __init__(self, text: str) -> None:
        self.display = display_name(text)
        self.folded = fold(text)
        self.key = name_key(text)
        self.grams = frozenset(trigrams(self.key))
        self.words = frozenset(self.key.split())

    def similarity(self, key: str) -> float:
        """pg_trgm's ``similarity`` of this query's key and ``key``."""
        grams = trigrams(key)
        if not grams or not self.grams:
            return 0.0
        shared = len(self.grams & grams)
        return shared / (len(self.grams) + len(grams) - shared)

    def score(self, full_name: str, key: str | None = None) -> float:
        """Rank of a stored name (``key`` is its name key, when known), 0 to 1.5."""
        key = name_key(full_name) if key is None else key
        if key == self.key:
            if display_name(full_name) == self.display:
                return EXACT
            return SAME_ORDER if fold(full_name) == self.folded else SAME_WORDS
        similar = self.similarity(key)
        if self.words and self.words <= set(key.split()):
            return round(0.8 + 0.1 * similar, 4)
        return round(similar, 4)


def score(query: str, full_name: str) -> float:
    """Rank of ``full_name`` for a query typed by a person (see the module's doc)."""
    return NameQuery(query).score(full_name)
