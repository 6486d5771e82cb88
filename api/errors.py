"""One error shape for the whole API: ``{"error": {"code", "message", "details"}}``.

Messages are raised in English and answered in the caller's language (api/wording):
the handlers below word the message and the per-field problems for the request."""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from api.context import request_id_var
from api.wording.services import caller_language, details_in_language, in_language

log = logging.getLogger("niis.errors")


class AppError(Exception):
    """A caller's mistake the API answers with a 4xx and a message a person can act on."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers or {}


class NotAuthenticated(AppError):
    status_code, code = 401, "not_authenticated"


class Forbidden(AppError):
    status_code, code = 403, "forbidden"


class NotFound(AppError):
    status_code, code = 404, "not_found"


class Conflict(AppError):
    status_code, code = 409, "conflict"


class Invalid(AppError):
    """Well-formed input that breaks a rule; ``field`` names what to correct."""

    status_code, code = 422, "invalid"

    def __init__(self, message: str, *, field: str | None = None, details: Any = None):
        super().__init__(message, details=details if details is not None else ({"field": field} if field else None))


class TooManyRequests(AppError):
    status_code, code = 429, "too_many_requests"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, details={"retry_after": retry_after}, headers={"Retry-After": str(retry_after)})


_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
}


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
    *,
    language: str = "en",
) -> Response[Any]:
    """The error body, its message and field problems worded in ``language``."""
    body = {
        "error": {
            "code": code,
            "message": in_language(message, language),
            "details": details_in_language(details, language),
            "request_id": request_id_var.get(),
        }
    }
    return Response(body, status_code=status, headers=headers or {})


def _language(request: Request[Any, Any, Any]) -> str:
    # scope["user"] is the Principal the auth middleware found (None: signed out).
    return caller_language(request.scope.get("user"), request.headers.get("accept-language"))


_MISSING = re.compile(r"Object missing required field `(.+)`")


def _problem_field(key: str, message: str) -> str | None:
    """The field a schema problem is about. A missing field is reported on the object that
    lacks it (the body is ``data``): the form needs the field itself, to say it under it."""
    missing = _MISSING.fullmatch(message)
    if missing:
        holder = "" if key in ("", "data") else key
        return f"{holder}.{missing.group(1)}" if holder else missing.group(1)
    return key or None


def _validation_message(exc: ValidationException, language: str) -> tuple[str, Any]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    problems = []
    for item in extra:
        if isinstance(item, dict):
            raised = str(item.get("message") or "")
            field = _problem_field(str(item.get("key") or "").removeprefix("$."), raised)
            problems.append({"field": field, "message": in_language(raised, language), "source": item.get("source")})
    if problems:
        first = problems[0]
        where = " " + in_language(f"(field: {first['field']})", language) if first["field"] else ""
        return f"{first['message']}{where}", problems
    detail = exc.detail or "The request is not valid"
    if "JSON" in detail or "decode" in detail.lower():
        return "The request body is not valid JSON", None
    return detail, None


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def handle_app_error(request: Request[Any, Any, Any], exc: AppError) -> Response[Any]:
    return error_response(exc.status_code, exc.code, exc.message, exc.details, exc.headers, language=_language(request))


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    language = _language(request)
    if status >= 500:
        log.error("server error: %s", exc.detail)
        message = "Something went wrong on our side; the error has been logged."
        return error_response(status, "internal", message, language=language)
    if _caused_by(exc, msgspec.DecodeError) and not _caused_by(exc, msgspec.ValidationError):
        return error_response(
            400, "invalid_json", f"The request body is not valid JSON ({exc.detail})", language=language
        )
    if isinstance(exc, ValidationException):
        message, details = _validation_message(exc, language)
        return error_response(status, "invalid_request", message, details, language=language)
    if status == 404:
        return error_response(404, "not_found", "There is nothing at this address.", language=language)
    if status == 413:
        return error_response(413, "too_large", "The request body is too large.", language=language)
    return error_response(
        status,
        _CODES.get(status, "error"),
        exc.detail or "Request refused",
        None,
        dict(exc.headers or {}),
        language=language,
    )


def _out_of_range(exc: Exception) -> bool:
    """A number from the request too large for the database (an id of 30 digits)."""
    if isinstance(exc, OverflowError):
        return True
    return type(exc).__module__.startswith("asyncpg") and "out of" in str(exc) and "range" in str(exc)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if _out_of_range(exc):
        return error_response(
            400, "invalid_request", "A number in the request is out of range", language=_language(request)
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal",
        "Something went wrong on our side; the error has been logged with this request's id.",
        language=_language(request),
    )


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    AppError: handle_app_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
