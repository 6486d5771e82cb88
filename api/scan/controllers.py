"""``POST /api/scan``: a photo in, the barcodes in it (and what they are) out."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, post
from litestar.datastructures import UploadFile
from litestar.exceptions import ClientException

from api.auth.guards import signed_in
from api.errors import AppError, TooManyRequests
from api.scan.schemas import ScanResponse
from api.scan.services import Caller, resolve
from api.scope import Scope
from api.settings import Settings

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "application/octet-stream"}


class UnsupportedImage(AppError):
    status_code, code = 415, "unsupported_media_type"


class ImageTooLarge(AppError):
    status_code, code = 413, "too_large"


class CorruptImage(AppError):
    status_code, code = 422, "corrupt_image"


_ERRORS: dict[str, type[AppError]] = {
    "not_an_image": UnsupportedImage,
    "too_large": ImageTooLarge,
    "corrupt_image": CorruptImage,
}


async def _photo(request: Request[Any, Any, Any]) -> bytes:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        try:
            form = await request.form()
        except ClientException as exc:
            raise UnsupportedImage(f"The upload could not be read: {exc.detail}") from None
        upload = form.get("file") or form.get("image")
        if not isinstance(upload, UploadFile):
            raise UnsupportedImage("Send the photo in a form field named 'file'", details={"field": "file"})
        return await upload.read()
    if kind not in IMAGE_TYPES:
        raise UnsupportedImage(f"Send a JPEG, PNG or WebP photo, not {kind or 'an untyped body'}")
    return await request.body()


async def decode_photo(request: Request[Any, Any, Any], area: Scope) -> dict[str, Any]:
    """The barcodes in the request's photo (as ``scanning.result_to_dict``), decoded in the
    app's pool under the caller's scan budget: for every route that takes a photo of a code."""
    settings: Settings = request.app.state.settings
    attempts, seconds_left = await request.app.state.attempts.hit(f"scan:{area.principal.account_id}", 60)
    if attempts > settings.scans_per_minute:
        raise TooManyRequests(f"Too many scans; try again in {seconds_left} seconds", retry_after=seconds_left)
    photo = await _photo(request)
    if not photo:
        raise UnsupportedImage("The request has no photo in it")
    outcome = await request.app.state.decode_pool.decode(
        photo, max_pixels=settings.scan_max_pixels, time_budget=settings.scan_time_budget
    )
    if "error" in outcome:
        raise _ERRORS[outcome["error"]](outcome["message"])
    result: dict[str, Any] = outcome["result"]
    return result


@post("/api/scan", guards=[signed_in], tags=["scan"], status_code=200)
async def scan(request: Request[Any, Any, Any], area: Scope) -> ScanResponse:
    """Decode every barcode in a photo (JPEG, PNG or WebP, as the body or a multipart
    field ``file``): format, text, raw bytes, corners, the parsed payload (GS1, citizen
    ID card, subject card) and what it resolves to. Nothing found → an empty list and,
    where measurable, a hint (too dark, blurred, too small)."""
    result = await decode_photo(request, area)
    resolver = Caller(area, request.app.state.settings.secret_key)
    for code in result["codes"]:
        code["resolved"] = await resolve(code, resolver, request.app.state.scan_resolvers)
    return msgspec.convert(result, ScanResponse)
