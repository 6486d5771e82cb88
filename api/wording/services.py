"""The API's messages in the caller's language: Vietnamese by default, English on request.

The code raises its errors in English (logs, tests and the CLI read them so); the error
handlers (api/errors.py) word the answer for the caller: the signed-in account's
language, or for someone signed out the best of ``Accept-Language``. A message is looked
up by its English *template* (``api.wording.vietnamese``): ``{name}`` parts match what the
code put there (an id, a date, a phone as typed) and are carried into the translation.
A message with no template stays in English, which beats a wrong guess; the app words
the common error codes itself (pwa/js/i18n.js ``explain``).

Why a table and not gettext catalogues (Babel): two languages and a hundred messages, a
Python dict checked by the type checker and by tests (every translation keeps the
template's placeholders), no compile step for ``.mo`` files, and the raise sites stay as
they are. A third language, or translators working in their own tools, would pay for
``.po`` files; the templates here are then the ``msgid``s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from api.wording.vietnamese import VIETNAMESE, WORDS

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
SENTENCE_END = re.compile(r"(?<=[.!?]) (?=[A-Z0-9])")


def requested_language(accept_language: str | None) -> str:
    """The language of ours the ``Accept-Language`` header prefers most (RFC 9110 q-values;
    ``en-US`` counts as ``en``); Vietnamese when it names neither."""
    best, best_weight = DEFAULT_LANGUAGE, 0.0
    for part in (accept_language or "").split(","):
        tag, *parameters = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        language = tag.lower().split("-")[0]
        if language in LANGUAGES and weight > best_weight:
            best, best_weight = language, weight
    return best


def caller_language(user: Any, accept_language: str | None) -> str:
    """The signed-in account's language (``Principal.language``), else the request's."""
    chosen = getattr(user, "language", None)
    return chosen if chosen in LANGUAGES else requested_language(accept_language)


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    """Each template as a pattern capturing its placeholders, the most specific first
    ("Subject {id} not found" before a shorter one that would match too)."""
    compiled = []
    for english, vietnamese in VIETNAMESE.items():
        parts = _PLACEHOLDER.split(english)  # literal, name, literal, name, …
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        literal = sum(len(p) for p in parts[::2])
        compiled.append((literal, re.compile(regex, re.DOTALL), vietnamese))
    compiled.sort(key=lambda entry: -entry[0])
    return [(pattern, vietnamese) for _, pattern, vietnamese in compiled]


def _one(message: str) -> str | None:
    for pattern, vietnamese in _patterns():
        found = pattern.fullmatch(message)
        if found:
            return vietnamese.format_map({name: _value(value) for name, value in found.groupdict().items()})
    return None


def _value(value: str) -> str:
    """What the code put into a message, worded too: a word (a state, a sex), or a
    sentence with a template of its own (a photo's hint after "No QR code was found in
    the photo:", the place of a line in an imported file)."""
    if value in WORDS:
        return WORDS[value]
    worded = _one(value)
    return value if worded is None else worded


def in_language(message: str, language: str) -> str:
    """``message`` (English, as raised) in ``language``; as it is when no template fits.
    Several sentences joined (a personal ID number's problems) are worded one by one."""
    if language == "en" or not message:
        return message
    whole = _one(message)
    if whole is None and message[0].islower():
        # A library's error begins in lower case, as Python's do (schedule/vn/screening.py's
        # ScreeningError, handed on as it is): the template of the sentence serves it.
        whole = _one(message[0].upper() + message[1:])
    if whole is not None:
        return whole
    sentences = SENTENCE_END.split(message)
    if len(sentences) > 1:
        worded = [_one(sentence) for sentence in sentences]
        if all(w is not None for w in worded):
            return " ".join(w for w in worded if w is not None)
    return message


def details_in_language(details: Any, language: str) -> Any:
    """The per-field problems of an error's details ({field, message} lists, as a schema
    refusal or a personal ID number's check gives them) worded in ``language``."""
    if language == "en":
        return details
    if isinstance(details, list):
        return [_problem(item, language) for item in details]
    if isinstance(details, Mapping) and isinstance(details.get("problems"), list):
        return {**details, "problems": [_problem(item, language) for item in details["problems"]]}
    return details


def _problem(item: Any, language: str) -> Any:
    if isinstance(item, Mapping) and isinstance(item.get("message"), str):
        return {**item, "message": in_language(item["message"], language)}
    return item
