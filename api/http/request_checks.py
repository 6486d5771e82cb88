"""Checks on a request before its body is decoded (a ``before_request`` hook, so it runs
for every route, after the guards): JSON routes take JSON only, bodies nest at most
``MAX_JSON_DEPTH`` levels, and every string obeys the text rule (``api.http.text``)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.params import BodyKwarg

from api.errors import AppError, Invalid
from api.http import text

# The deepest body of the API nests 3 levels (a registration's guardians); 20 leaves
# room for growth and refuses the thousand levels that exhaust the decoder's stack.
MAX_JSON_DEPTH = 20


class UnsupportedMediaType(AppError):
    status_code, code = 415, "unsupported_media_type"


class TooDeep(AppError):
    code = "invalid_json"


def _takes_json(handler: HTTPRouteHandler) -> bool:
    data = handler.parsed_data_field
    if data is None:
        return False
    kwarg = data.kwarg_definition
    return not isinstance(kwarg, BodyKwarg) or kwarg.media_type == RequestEncodingType.JSON


_OPEN, _CLOSE = b"[{", b"]}"
_AS_PARENTHESES = bytes.maketrans(_OPEN + _CLOSE, b"(())")
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(_OPEN + _CLOSE)))


def nests_deeper_than(body: bytes, limit: int) -> bool:
    """Whether the JSON in ``body`` nests arrays and objects deeper than ``limit``.

    An ordinary body costs two byte counts (C speed): only one with more opening
    brackets than the limit is looked at closer, and then the work is done by the
    regular-expression engine and ``bytes`` methods, leaving a short Python loop.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    # Outside strings: drop escaped backslashes and quotes, then every other quote opens
    # or closes a string, so the even pieces between quotes are the structure.
    unescaped = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    structure = b"".join(unescaped.split(b'"')[::2]).translate(_AS_PARENTHESES, _NOT_BRACKETS)
    # Removing every empty pair lowers the deepest level by exactly one, and turns a
    # long flat list of objects into almost nothing.
    structure = structure.replace(b"()", b"")
    depth = 0
    for byte in structure:
        if byte == 0x28:  # (
            depth += 1
            if depth >= limit:
                return True
        else:
            depth -= 1
            if depth < 0:
                return False  # a closing bracket too many: the decoder refuses the body there
    return False


def _refuse_text(where: str, character: str) -> Invalid:
    return Invalid(
        f"{where} contains {text.describe(character)}: control characters and bidirectional-text controls "
        "are not allowed in text (line breaks and tabs only in multi-line fields); remove it and send again",
        field=where,
    )


async def check_request(request: Request[Any, Any, Any]) -> None:
    for name, value in request.path_params.items():
        if isinstance(value, str) and (character := text.refused_character(value)):
            raise _refuse_text(name, character)
    for name, value in request.query_params.multi_items():
        if character := text.refused_character(value):
            raise _refuse_text(name, character)
    handler = request.route_handler
    if not isinstance(handler, HTTPRouteHandler) or not _takes_json(handler):
        return
    body = await request.body()
    if not body:
        return  # nothing to decode (a route whose body is optional); a required one says so itself
    media_type = request.content_type[0]
    if media_type != "application/json":
        # Refusing every other type is what stops a cross-site form (text/plain or
        # form-encoded, which a browser sends without asking) from signing someone in.
        sent = f"not {media_type}" if media_type else "not a body without a Content-Type"
        raise UnsupportedMediaType(
            f"Send the body as JSON with the header Content-Type: application/json ({sent})",
            details={"accepted": ["application/json"]},
        )
    if nests_deeper_than(body, MAX_JSON_DEPTH):
        raise TooDeep(f"The request body nests deeper than {MAX_JSON_DEPTH} levels; no request of this API does")
    if text.json_may_hold_refused(body):
        try:
            decoded = msgspec.json.decode(body)
        except msgspec.DecodeError:
            return  # malformed: the decoder's own 400 says where
        if found := text.first_refused(decoded):
            path, character = found
            raise _refuse_text(path or "body", character)
