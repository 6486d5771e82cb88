"""Plug-in payload parsers: the registry adds its subject card parser and decode() uses it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

import scanning
from scanning import GS1Data, ParserRegistry, Payload, PayloadError, default_registry
from scanning.testing import corpus
from scanning.testing.payloads import SUBJECT_CARD_PREFIX


@dataclass(frozen=True, slots=True)
class SubjectCard(Payload):
    kind = "subject_card"
    immunization_code: str
    full_name: str
    birth_date: dt.date


def subject_card_parser(text: str, symbology_identifier: str) -> SubjectCard | None:
    """What the registry would plug in (its format here is the corpus stand-in)."""
    fields = text.split("|")
    if fields[0] != SUBJECT_CARD_PREFIX:
        return None
    if len(fields) != 4:
        raise PayloadError(f"A subject card has 4 fields, got {len(fields)}.", kind="subject_card")
    try:
        born = dt.date.fromisoformat(fields[3])
    except ValueError as exc:
        raise PayloadError(str(exc), kind="subject_card", field="birth_date") from exc
    return SubjectCard(fields[1], fields[2], born)


@pytest.fixture
def registry() -> ParserRegistry:
    registry = default_registry.copy()
    registry.register("subject_card", subject_card_parser, first=True)
    return registry


def test_built_in_parsers_in_order() -> None:
    assert default_registry.names == ("gs1", "citizen_id")


def test_plugged_in_parser_runs_first(registry: ParserRegistry) -> None:
    assert registry.names == ("subject_card", "gs1", "citizen_id")


def test_copy_leaves_the_default_registry_alone(registry: ParserRegistry) -> None:
    assert "subject_card" not in default_registry.names


def test_decode_uses_the_given_registry(registry: ParserRegistry, photos: tuple[corpus.Sample, ...]) -> None:
    sample = next(s for s in photos if s.recipe == "clean_subject_card")
    (barcode,) = scanning.decode(sample.data, parsers=registry).barcodes
    assert isinstance(barcode.payload, SubjectCard)
    assert barcode.payload.full_name == sample.expected[0].text.split("|")[2]
    (plain,) = scanning.decode(sample.data).barcodes
    assert plain.payload is None and plain.payload_error is None


def test_malformed_plugged_in_payload_is_reported_not_raised(registry: ParserRegistry) -> None:
    outcome = registry.parse(f"{SUBJECT_CARD_PREFIX}|ABC|Lê Văn Tám|2020-02-30")
    assert outcome.payload is None
    assert outcome.kind == "subject_card"
    assert outcome.error and "day is out of range" in outcome.error
    with pytest.raises(PayloadError):
        registry.parse_strict(f"{SUBJECT_CARD_PREFIX}|ABC")


def test_register_again_replaces(registry: ParserRegistry) -> None:
    registry.register("subject_card", lambda text, sid: None)
    assert registry.names == ("gs1", "citizen_id", "subject_card")
    assert registry.parse(f"{SUBJECT_CARD_PREFIX}|ABC|Lê Văn Tám|2020-02-01").payload is None


def test_unregister(registry: ParserRegistry) -> None:
    registry.unregister("gs1")
    registry.unregister("nothing-by-that-name")
    assert registry.names == ("subject_card", "citizen_id")
    assert registry.parse("(01)09506000134352").payload is None


def test_unclaimed_text_has_no_payload_and_no_error() -> None:
    outcome = default_registry.parse("just some text", "]Q1")
    assert outcome.payload is None and outcome.error is None and outcome.kind is None


def test_module_level_register_parser_adds_to_the_default_registry() -> None:
    try:
        scanning.register_parser("subject_card", subject_card_parser)
        payload = scanning.parse_payload(f"{SUBJECT_CARD_PREFIX}|ABC|Lê Văn Tám|2020-02-01")
        assert isinstance(payload, SubjectCard)
    finally:
        default_registry.unregister("subject_card")
    assert isinstance(scanning.parse_payload("(01)09506000134352"), GS1Data)
