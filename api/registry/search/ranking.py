"""One scorer for name search, whichever engine found the candidates.

A name is found when each typed word is a word of the name, exactly or one typo away
(:func:`api.registry.identity.names.one_typo_away`), each typed word matching a different word of
the name. A query is prepared once (:class:`NameQuery`) and scores every candidate:

* the same words, whatever the accents, case and order (the same name key): 1.5 spelt
  exactly as typed, 1.2 with other accents in the same order, else 1.0;
* otherwise 1.0, less 0.15 per typo and 0.05 per word of the name that was not typed.

So the exact spelling comes first, then the same name with other accents, then longer
names holding every typed word, then names with one typo, then two.
"""

from __future__ import annotations

from itertools import permutations

from api.registry.identity.names import display_name, fold, name_key, one_typo_away

EXACT, SAME_ORDER, SAME_WORDS = 1.5, 1.2, 1.0
PER_TYPO, PER_EXTRA_WORD = 0.15, 0.05


class NameQuery:
    """A typed name, prepared to score many candidates."""

    __slots__ = ("display", "folded", "key", "typos", "words")

    def __init__(self, text: str) -> None:
        self.display = display_name(text)
        self.folded = fold(text)
        self.key = name_key(text)
        self.words = tuple(self.key.split())
        self.typos = {word: one_typo_away(word) for word in self.words}

    def spellings(self, word: str) -> frozenset[str]:
        """What a typed ``word`` may stand for: itself, or one typo away."""
        return self.typos[word] | {word}

    def typos_in(self, key: str) -> int | None:
        """The fewest typos that turn the typed words into words of ``key`` (each into a
        different one), or None when they cannot."""
        names = key.split()
        if not self.words or len(names) < len(self.words):
            return None
        rest = list(names)
        unmatched = []
        for word in self.words:
            if word in rest:
                rest.remove(word)
            else:
                unmatched.append(word)
        if not unmatched:
            return 0
        # Usually each word left over is one typo from a different word left in the name.
        for word in unmatched:
            partner = next((name for name in rest if name in self.typos[word]), None)
            if partner is None:
                break
            rest.remove(partner)
        else:
            return len(unmatched)  # the fewest possible: no exact partner was left for them
        best = None
        # Rarely more than a word or two: try every assignment (a matched word may have to
        # give its partner up, so try them all).
        for chosen in permutations(range(len(names)), len(self.words)):
            cost = 0
            for word, at in zip(self.words, chosen, strict=True):
                if names[at] != word:
                    if names[at] not in self.typos[word]:
                        break
                    cost += 1
            else:
                best = cost if best is None else min(best, cost)
        return best

    def score(self, full_name: str, key: str | None = None) -> float:
        """Rank of a stored name (``key`` is its name key, when known); 0 when not found."""
        key = name_key(full_name) if key is None else key
        if key == self.key:
            if display_name(full_name) == self.display:
                return EXACT
            return SAME_ORDER if fold(full_name) == self.folded else SAME_WORDS
        typos = self.typos_in(key)
        if typos is None:
            return 0.0
        extra = len(key.split()) - len(self.words)
        return round(max(0.05, SAME_WORDS - PER_TYPO * typos - PER_EXTRA_WORD * extra), 4)


def score(query: str, full_name: str) -> float:
    """Rank of ``full_name`` for a query typed by a person (see the module's doc)."""
    return NameQuery(query).score(full_name)
