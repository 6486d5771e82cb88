"""Pluggable payload parsers: each recognises its kind of text and parses it.

A parser is a function ``(text, symbology_identifier) -> Payload | None``:
it returns ``None`` when the text is not its kind (the next parser is
tried), a :class:`Payload` when it is, and raises
:class:`~scanning.errors.PayloadError` when the text is its kind but
malformed. The registry tries parsers in order, so the specific come first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from scanning.errors import PayloadError


@dataclass(frozen=True, slots=True)
class Payload:
    """Base of every parsed payload; ``kind`` names it in API responses."""

    kind: ClassVar[str] = "payload"


Parser = Callable[[str, str], Payload | None]
"""``(text, symbology_identifier) -> Payload | None``; may raise PayloadError."""


@dataclass(frozen=True, slots=True)
class ParseOutcome:
    """What the registry made of one barcode's text."""

    payload: Payload | None = None
    error: str | None = None
    kind: str | None = None


class ParserRegistry:
    """An ordered set of named parsers."""

    def __init__(self) -> None:
        self._parsers: list[tuple[str, Parser]] = []
        self._lock = threading.Lock()

    def register(self, name: str, parser: Parser, *, first: bool = False) -> None:
        """Add ``parser`` under ``name`` (replacing one of that name).

        ``first=True`` puts it before the others, for a kind whose texts a
        built-in parser would otherwise claim.
        """
        with self._lock:
            parsers = [(n, p) for n, p in self._parsers if n != name]
            if first:
                parsers.insert(0, (name, parser))
            else:
                parsers.append((name, parser))
            self._parsers = parsers

    def unregister(self, name: str) -> None:
        """Remove the parser registered as ``name``, if any."""
        with self._lock:
            self._parsers = [(n, p) for n, p in self._parsers if n != name]

    @property
    def names(self) -> tuple[str, ...]:
        """The registered parser names, in the order they are tried."""
        return tuple(name for name, _ in self._parsers)

    def parse_strict(self, text: str, symbology_identifier: str = "") -> Payload | None:
        """The payload of ``text``, ``None`` if no parser claims it.

        Raises :class:`~scanning.errors.PayloadError` for a claimed but
        malformed text.
        """
        for _, parser in self._parsers:
            payload = parser(text, symbology_identifier)
            if payload is not None:
                return payload
        return None

    def parse(self, text: str, symbology_identifier: str = "") -> ParseOutcome:
        """Like :meth:`parse_strict`, with a malformed payload reported, not raised."""
        try:
            payload = self.parse_strict(text, symbology_identifier)
        except PayloadError as exc:
            return ParseOutcome(error=exc.message, kind=exc.kind)
        if payload is None:
            return ParseOutcome()
        return ParseOutcome(payload=payload, kind=payload.kind)

    def copy(self) -> ParserRegistry:
        """An independent registry with the same parsers (for tests and tenants)."""
        clone = ParserRegistry()
        clone._parsers = list(self._parsers)
        return clone


default_registry = ParserRegistry()
"""The registry :func:`scanning.decode` uses unless given another."""


def register_parser(name: str, parser: Parser, *, first: bool = False) -> None:
    """Register ``parser`` in the default registry (see :meth:`ParserRegistry.register`)."""
    default_registry.register(name, parser, first=first)


def parse_payload(text: str, symbology_identifier: str = "") -> Payload | None:
    """Parse ``text`` with the default registry; raises PayloadError when malformed."""
    return default_registry.parse_strict(text, symbology_identifier)
