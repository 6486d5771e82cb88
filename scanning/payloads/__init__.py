"""Payload parsers: GS1 (vaccine packaging), citizen ID card QR, and plug-ins.

The built-in parsers are registered in :data:`default_registry` in this
order: GS1 first (its texts are unambiguous), then the citizen ID card.
The registry's own subject-card parser is added with :func:`register_parser`.
"""

from scanning.payloads.citizen_id import CitizenIdCard, citizen_id_parser, parse_citizen_id
from scanning.payloads.gs1 import ElementString, GS1Data, gs1_parser, parse_gs1
from scanning.payloads.personal_id import (
    Discrepancy,
    PersonalId,
    Sex,
    check_personal_id,
    read_personal_id,
)
from scanning.payloads.registry import (
    ParseOutcome,
    Parser,
    ParserRegistry,
    Payload,
    default_registry,
    parse_payload,
    register_parser,
)

default_registry.register("gs1", gs1_parser)
default_registry.register("citizen_id", citizen_id_parser)

__all__ = [
    "CitizenIdCard",
    "Discrepancy",
    "ElementString",
    "GS1Data",
    "ParseOutcome",
    "Parser",
    "ParserRegistry",
    "Payload",
    "PersonalId",
    "Sex",
    "check_personal_id",
    "citizen_id_parser",
    "default_registry",
    "gs1_parser",
    "parse_citizen_id",
    "parse_gs1",
    "parse_payload",
    "read_personal_id",
    "register_parser",
]
