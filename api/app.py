"""The application factory: one Litestar app wired from settings."""

from __future__ import annotations

import asyncio
import importlib.util
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.static_files import create_static_files_router
from redis.asyncio import Redis

from api import clock
from api.accounts.linking.controllers import ParentLinkController
from api.accounts.users.controllers import UserController
from api.audit.controllers import AuditController
from api.auth.controllers import AuthController
from api.auth.middleware import authentication_middleware
from api.auth.ratelimit import MemoryAttemptCounter, RedisAttemptCounter, ResilientAttemptCounter
from api.certificates.controllers import CertificateController, jwks, verify
from api.commands import command_middleware
from api.deps import DEPENDENCIES
from api.errors import EXCEPTION_HANDLERS
from api.health import health, ready
from api.http.headers import security_headers_middleware
from api.http.request_checks import check_request
from api.idempotency import document_header, idempotency_middleware
from api.immunization.controllers import forecast, screening_assess, screening_forms
from api.observability import configure_logging, request_id_middleware
from api.places.controllers import FacilityController, PlaceController
from api.records import forecasts
from api.records.aefi.controllers import AefiController
from api.records.controllers import DoseController, SubjectDoseController
from api.records.due.controllers import due_list
from api.records.sessions.controllers import CampaignController, SessionController
from api.registry.cards import parser as card_parser
from api.registry.cards.controllers import SubjectCardController
from api.registry.cards.scanned import SCAN_RESOLVERS
from api.registry.duplicates.controllers import MergeController
from api.registry.duplicates.reopen import ReopenController
from api.registry.reading.controllers import FacilityReadingController
from api.registry.subjects.controllers import SubjectController
from api.registry.transfers.controllers import TransferDestinationController, TransferRequestController
from api.scan import services as scan_services
from api.scan.controllers import scan
from api.scan.pool import DecodePool
from api.settings import Settings
from api.shell import version
from api.stock.controllers import CatalogueController, ReportController, StoreController
from api.sync import reviews as dose_reviews
from api.sync.controllers import DoseReviewController, SyncController
from db.engine import close_engine, make_engine, open_engine, use

os.environ.setdefault("PICCOLO_CONF", "db.piccolo_conf")


def pwa_directory() -> Path:
    """Where the web app's files are: the `pwa` data package, beside the code whether installed
    from a wheel or editable. It has no __init__.py (it holds no Python), so it is a namespace
    package; importlib.resources cannot open those on Python 3.11 when setuptools' editable
    finder is on their path, hence the search of the package's locations for its index.html."""
    spec = importlib.util.find_spec("pwa")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / "index.html").is_file():
            return Path(location)
    raise RuntimeError("the web app's files (the pwa package) are not installed: reinstall niis")


PWA_DIR = pwa_directory()
VERSION = "0.1.0"
REDIS_TIMEOUT = 1.0  # seconds, to connect and for each command


def served_app() -> Litestar:
    """The app as `niis serve` runs it: its photo decoders started with it."""
    return create_app(warm_decoders=True)


def create_app(
    settings: Settings | None = None, *, configure_logs: bool = True, warm_decoders: bool = False
) -> Litestar:
    settings = settings or Settings.from_environment()
    if configure_logs:
        configure_logging(settings.log_level)
    engine = make_engine(settings.database_url)
    use(engine)
    # Registry changes recompute the stored forecast (the registry does not import records).
    forecasts.install()
    # Short timeouts: when Redis is away, a sign-in falls back to this process's counts
    # (ResilientAttemptCounter) after at most a second, instead of the OS's TCP timeout.
    redis = (
        Redis.from_url(settings.redis_url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT)
        if settings.redis_url
        else None
    )
    # The registry's codes: parsed in the decode workers, resolved for the caller here.
    decode_pool = DecodePool(
        workers=settings.scan_workers, queue=settings.scan_workers * 8, worker_setup=(card_parser.register,)
    )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await open_engine(engine)
        # In the background: the server answers at once, the decoders are up a moment later.
        warming = asyncio.create_task(decode_pool.warm()) if warm_decoders else None
        try:
            yield
        finally:
            if warming is not None and not warming.done():
                warming.cancel()
            await close_engine(engine)
            await asyncio.to_thread(decode_pool.close)  # waits for a photo being read
            if redis is not None:
                await redis.aclose()

    state = State(
        {
            "settings": settings,
            # The one clock every request runs on (tests put a fixed one here).
            "clock": clock.SYSTEM_CLOCK,
            "engine": engine,
            "redis": redis,
            "decode_pool": decode_pool,
            "scan_resolvers": {**scan_services.BUILT_IN, **SCAN_RESOLVERS},
            "attempts": ResilientAttemptCounter(RedisAttemptCounter(redis))
            if redis is not None
            else MemoryAttemptCounter(),
            "login_limits": settings.login_limits,
        }
    )
    app = Litestar(
        route_handlers=[
            health,
            ready,
            version,
            AuthController,
            PlaceController,
            FacilityController,
            UserController,
            AuditController,
            scan,
            SubjectController,
            SubjectDoseController,
            DoseController,
            due_list,
            AefiController,
            SessionController,
            CampaignController,
            MergeController,
            ReopenController,
            FacilityReadingController,
            TransferRequestController,
            TransferDestinationController,
            SubjectCardController,
            ParentLinkController,
            CatalogueController,
            StoreController,
            ReportController,
            SyncController,
            DoseReviewController,
            forecast,
            screening_forms,
            screening_assess,
            jwks,
            CertificateController,
            verify,
            create_static_files_router(path="/", directories=[PWA_DIR], html_mode=True, include_in_schema=False),
        ],
        # The clock first: sessions expire by it; the idempotency key joins the unit of work.
        middleware=[command_middleware, authentication_middleware, idempotency_middleware],
        dependencies=DEPENDENCIES,
        exception_handlers=EXCEPTION_HANDLERS,
        before_request=check_request,
        lifespan=[lifespan],
        state=state,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="niis API",
            version=VERSION,
            path="/api/docs",
            description="National immunization information system",
            render_plugins=[ScalarRenderPlugin()],
        ),
        logging_config=None,
        debug=False,
    )
    document_header(app)
    dose_reviews.register()
    # Around the whole app, not per route: unmatched paths get a request id too.
    app.asgi_handler = request_id_middleware(
        security_headers_middleware(app.asgi_handler, production=settings.production)
    )
    return app
