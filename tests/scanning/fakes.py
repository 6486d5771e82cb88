"""A stand-in decoder plan for tests of decode()'s rules on what passes read."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from scanning import passes, pipeline
from scanning.engines.base import Symbol

AIM = {"DataMatrix": "]d2", "QRCode": "]Q1", "Code128": "]C0"}
"""The symbology identifier a real decoder gives each format (EAN/UPC: ]E0)."""


def fake_plan(*reads: list[tuple[str, str]]) -> Callable[..., Iterator[pipeline.Attempt]]:
    """A plan whose passes 'read' the given (format, text) pairs, in order."""

    def plan(*args: object, **kwargs: object) -> Iterator[pipeline.Attempt]:
        for index, read in enumerate(reads):
            symbols = [
                (
                    Symbol(fmt, AIM.get(fmt, "]E0"), text.encode(), text, ((0, 0), (9, 0), (9, 9), (0, 9)), "fake"),
                    passes.identity,
                )
                for fmt, text in read
            ]
            yield pipeline.Attempt("first" if index == 0 else f"retry{index}", lambda symbols=symbols: symbols)

    return plan
