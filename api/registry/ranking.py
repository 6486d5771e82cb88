"""One scorer for name search, whichever engine found the candidates."""

from __future__ import annotations

from api.registry.names import fold, name_key, similarity, trigrams


def word_similarity(query_key: str, key: str) -> float:
    """How much of the query is in the name (a partial name scores high)."""
    wanted = trigrams(query_key)
    return len(wanted & trigrams(key)) / len(wanted) if wanted else 0.0


def score(query: str, full_name: str) -> float:
    """Rank of a name for a query typed by a person, 0 to about 2.

    Same words regardless of order and accents → 1; each typo lowers it; the exact
    spelling with accents, then the same word order, rank above.
    """
    query_key, key = name_key(query), name_key(full_name)
    base = max(similarity(query_key, key), 0.9 * word_similarity(query_key, key))
    if query_key == key:
        base = 1.0
        if query.strip().casefold() == " ".join(full_name.split()).casefold():
            base += 0.5  # accents and order as typed
        elif fold(query) == fold(full_name):
            base += 0.2  # same order, different accents
    return round(base, 4)
