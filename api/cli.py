"""The ``niis`` command: serve, migrate, demo, createuser, import-places, backup, restore, unlock-login, the nightly
jobs (find-duplicates, prune-idempotency-keys, stock-alerts, stock-open-vials, stock-check), recompute-forecasts,
and the library tools (cdsi-run, scan)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from api import clock

os.environ.setdefault("PICCOLO_CONF", "db.piccolo_conf")

from api.settings import Settings, SettingsError


async def _with_database(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    from api.records import forecasts
    from db.engine import close_engine, make_engine, open_engine, use
    from db.unit_of_work import unit_of_work

    forecasts.install()  # as the app does: registry changes recompute stored forecasts
    engine = make_engine(settings.database_url)
    use(engine)
    await open_engine(engine, pool_size=2)
    try:
        # A CLI command is one unit of work, begun by the first service that writes.
        async with unit_of_work(begin=False):
            return await work()
    finally:
        await close_engine(engine)


async def _migrate() -> None:
    from api.places.importer import ensure_reference_places
    from db.migrate import migrate

    await migrate()
    summary = await ensure_reference_places()
    if summary.created:
        print(f"Seeded {len(summary.created)} reference places (country and provinces).")


def cmd_migrate(settings: Settings, _: argparse.Namespace) -> int:
    asyncio.run(_with_database(settings, _migrate))
    print("Database is up to date.")
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from api.demo import is_empty, load_demo

    async def work() -> list[Any] | None:
        await _migrate()
        if args.if_empty and not await is_empty():
            return None
        return await load_demo(settings.secret_key)

    created = asyncio.run(_with_database(settings, work))
    if created is None:
        print("The database already has data; demo data not loaded.")
        return 0
    print("Demo data loaded. Sign in at", settings.public_base_url, "as:")
    for user in created:
        print(f"  {user.role.value:<17} {user.username:<18} password: {user.password}")
    return 0


def cmd_createuser(settings: Settings, args: argparse.Namespace) -> int:
    from api.accounts.users import services as users
    from api.auth.passwords import RULES
    from api.auth.roles import Role
    from api.context import Actor
    from api.errors import AppError
    from api.places.services import place_id_by_code
    from db.tables import Facility

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Password (again): ")
        except EOFError:  # no terminal and nothing (or one line) piped in
            print("\nerror: no password given twice; to pipe one in, use --password-stdin", file=sys.stderr)
            return 2
        if again != password:
            print("error: the two passwords differ; nothing was created. Run the command again.", file=sys.stderr)
            return 2

    async def work() -> dict[str, Any]:
        place_id = await place_id_by_code(args.place) if args.place else None
        if args.place and place_id is None:
            raise SystemExit(f"No place with code {args.place}")
        facility_id = None
        if args.facility:
            row = await Facility.select(Facility.id).where(Facility.code == args.facility).first()
            if row is None:
                raise SystemExit(f"No facility with code {args.facility}")
            facility_id = row["id"]
        if args.role == Role.NATIONAL_ADMIN and place_id is None:
            place_id = await place_id_by_code("VN")
        return await users.create(
            Actor.system("createuser"),
            username=args.username,
            full_name=args.full_name or args.username,
            password=password,
            role=Role(args.role),
            scope_place_id=place_id,
            scope_facility_id=facility_id,
            phone=args.phone,
        )

    try:
        row = asyncio.run(_with_database(settings, work))
    except AppError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if isinstance(exc.details, dict) and exc.details.get("field") == "password":
            print(RULES, file=sys.stderr)
        return 2
    print(f"Created user {row['username']} ({row['role']}).")
    return 0


def cmd_unlock_login(settings: Settings, args: argparse.Namespace) -> int:
    """Clear an account's failed sign-ins where the servers count them: in Redis."""
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    from api.auth import services as auth
    from api.auth.ratelimit import RedisAttemptCounter
    from api.context import Actor
    from db.tables import Account

    if not settings.redis_url:
        limits = settings.login_limits
        print(
            "error: without NIIS_REDIS_URL each `niis serve` process counts failed sign-ins in its own memory, "
            "which this command cannot reach. Restart the server to clear them, wait (at most "
            f"{max(limits.window_seconds, limits.backoff_max_seconds) // 60} minutes), or have an officer "
            "clear it through the running app's API (POST /api/users/ID/unlock-login), which does reach it.",
            file=sys.stderr,
        )
        return 1
    redis_url = settings.redis_url

    async def work() -> int | None:
        row = await Account.select(Account.id).where(Account.username == args.username).first()
        if row is None:
            return None
        redis = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
        try:
            return await auth.unlock_login(
                Actor.system("unlock-login"), row["id"], args.username, RedisAttemptCounter(redis)
            )
        finally:
            await redis.aclose()

    try:
        cleared = asyncio.run(_with_database(settings, work))
    except (RedisError, OSError) as exc:
        print(f"error: Redis at NIIS_REDIS_URL does not answer ({exc}); nothing was cleared", file=sys.stderr)
        return 1
    if cleared is None:
        print(f"error: no user named {args.username}", file=sys.stderr)
        return 2
    print(f"Cleared {cleared} sign-in counts of {args.username}: it can sign in from anywhere again.")
    return 0


def cmd_import_places(settings: Settings, args: argparse.Namespace) -> int:
    from api.context import Actor
    from api.errors import AppError
    from api.places.importer import import_units

    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {args.file} as UTF-8 text ({exc}); nothing was imported", file=sys.stderr)
        return 2
    try:
        summary = asyncio.run(_with_database(settings, lambda: import_units(Actor.system("import-places"), text)))
    except AppError as exc:
        print(f"error: {exc.message} (nothing was imported)", file=sys.stderr)
        return 2
    print(json.dumps(summary.counts()))
    return 0


def cmd_find_duplicates(settings: Settings, args: argparse.Namespace) -> int:
    from api.context import Actor
    from api.places.services import load_tree, place_id_by_code
    from api.registry.duplicates.job import run

    async def work() -> dict[str, Any]:
        if args.place is None:
            return await run(Actor.system("find-duplicates"), None, place_id=None, full=args.full)
        place_id = await place_id_by_code(args.place)
        if place_id is None:
            raise SystemExit(f"No place with code {args.place}")
        places = (await load_tree()).all_within(place_id, clock.current().today())
        return await run(Actor.system("find-duplicates"), places, place_id=place_id, full=True)

    print(json.dumps(asyncio.run(_with_database(settings, work))))
    return 0


def cmd_prune_idempotency_keys(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import timedelta

    from db import idempotency

    keep = timedelta(days=args.days)
    if keep < idempotency.RETENTION:
        print(f"error: keys are kept at least {idempotency.RETENTION.days} days (--days {args.days})", file=sys.stderr)
        return 2

    async def work() -> int:
        return await idempotency.prune(now=clock.current().now(), keep=keep)

    removed = asyncio.run(_with_database(settings, work))
    print(f"Forgot {removed} idempotency keys older than {args.days} days.")
    return 0


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from db.backup import run_backup

    return run_backup(settings.database_url, Path(args.file), force=args.force)


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from db.backup import run_restore

    return run_restore(settings.database_url, Path(args.file))


def cmd_stock_check(settings: Settings, _: argparse.Namespace) -> int:
    """Exit 1, listing them, when balances differ from the sums of their entries."""
    from api.stock import services as ledger

    wrong = asyncio.run(_with_database(settings, ledger.check))
    for row in wrong:
        print(
            f"store {row['store']} lot {row['lot']}: balance {row['balance']}, entries sum to {row['entries']}",
            file=sys.stderr,
        )
    if wrong:
        print(f"{len(wrong)} stock balances differ from their ledger entries", file=sys.stderr)
        return 1
    print("Every stock balance equals the sum of its ledger entries.")
    return 0


def cmd_stock_alerts(settings: Settings, args: argparse.Namespace) -> int:
    from api.stock import alerts

    raised = asyncio.run(_with_database(settings, lambda: alerts.raise_expiry_alerts(args.days)))
    print(f"Raised {raised} alerts for lots expiring within {args.days} days.")
    return 0


def cmd_stock_open_vials(settings: Settings, args: argparse.Namespace) -> int:
    from api.context import Actor
    from api.stock import open_vials

    closed = asyncio.run(_with_database(settings, lambda: open_vials.close_due(Actor.system("stock-open-vials"))))
    print(f"Discarded {closed} open vials whose open-vial rule's time had passed.")
    return 0


def cmd_recompute_forecasts(settings: Settings, args: argparse.Namespace) -> int:
    """Everyone's stored forecast again (after a schedule version change), resumable."""
    from api.records import forecasts

    if args.batch < 1:
        print(f"error: --batch is a number of subjects, at least 1 (got {args.batch})", file=sys.stderr)
        return 2

    def report(progress: forecasts.Progress) -> None:
        print(f"{progress.done}/{progress.total} subjects, up to id {progress.last_id}", flush=True)

    async def work() -> forecasts.Progress:
        return await forecasts.recompute_all(batch=args.batch, restart=args.restart, report=report)

    try:
        done = asyncio.run(_with_database(settings, work))
    except KeyboardInterrupt:
        print("Interrupted: run the command again to go on from the last batch written.", file=sys.stderr)
        return 130
    resumed = f" (resumed after subject {done.resumed_after})" if done.resumed_after else ""
    print(f"Recomputed the stored forecasts of {done.done} subjects{resumed}.")
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from api import observability

    try:
        settings.require_issuer_key()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2

    uvicorn.run(
        "api.app:served_app",
        factory=True,
        host=args.host,
        port=args.port,
        log_config=observability.uvicorn_log_config(settings.log_level),
        log_level=settings.log_level.lower(),
        access_log=False,
        proxy_headers=True,
        # Our setting, not uvicorn's FORWARDED_ALLOW_IPS: checked and documented with the others.
        forwarded_allow_ips=list(settings.trusted_proxies),
    )
    return 0


def _delegate(module: str, argv: list[str]) -> int:
    import importlib

    main: Callable[[list[str]], int] = importlib.import_module(module).main
    return main(argv)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="niis", description="National immunization information system")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web app and API")
    serve.add_argument("--host", default=os.environ.get("NIIS_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("NIIS_PORT", "8000")))
    sub.add_parser("migrate", help="create or update the database schema and reference places")
    demo = sub.add_parser("demo", help="load demo data (a province, facilities, one user per role)")
    demo.add_argument("--if-empty", action="store_true", help="only when the database has no users yet")
    create = sub.add_parser("createuser", help="create a user account")
    create.add_argument("username")
    create.add_argument(
        "--role",
        required=True,
        choices=["national_admin", "province_officer", "commune_officer", "vaccinator", "stock_clerk", "parent"],
    )
    create.add_argument("--place", help="official code of the area (officers)")
    create.add_argument("--facility", help="facility code (vaccinators, stock clerks)")
    create.add_argument("--full-name")
    create.add_argument("--phone")
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (one line, not asked twice)",
    )
    unlock = sub.add_parser("unlock-login", help="clear an account's failed sign-ins (its owner waits no more)")
    unlock.add_argument("username")
    places = sub.add_parser("import-places", help="load the official list of administrative units (CSV)")
    places.add_argument("file")
    duplicates = sub.add_parser("find-duplicates", help="list likely duplicate records (run nightly)")
    duplicates.add_argument("--place", help="official code of an area (default: the whole country)")
    duplicates.add_argument(
        "--full", action="store_true", help="check every subject, not only those changed since the last run"
    )
    prune = sub.add_parser("prune-idempotency-keys", help="forget the answers kept for retried writes (run nightly)")
    prune.add_argument("--days", type=int, default=30, help="keep keys this many days (at least 30)")
    backup = sub.add_parser("backup", help="copy the database to FILE (mode 600), verified")
    backup.add_argument("file")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    sub.add_parser("restore", help="load a backup into an empty database").add_argument("file")
    sub.add_parser("stock-check", help="check that every stock balance is the sum of its ledger entries")
    stock_alerts = sub.add_parser("stock-alerts", help="alert the clerks of lots nearing expiry (run daily)")
    stock_alerts.add_argument("--days", type=int, default=60, help="alert this many days before expiry")
    sub.add_parser("stock-open-vials", help="discard the open vials whose open-vial rule's time has passed (nightly)")
    recompute = sub.add_parser(
        "recompute-forecasts", help="recompute every stored forecast (after a schedule change); resumable"
    )
    recompute.add_argument("--batch", type=int, default=500, help="subjects per unit of work (default 500)")
    recompute.add_argument("--restart", action="store_true", help="start from the first subject, not where it stopped")
    sub.add_parser("cdsi-run", help="run CDSi test cases through the rules engine", add_help=False)
    sub.add_parser("scan", help="decode barcodes in image files", add_help=False)
    return parser


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "serve": cmd_serve,
    "migrate": cmd_migrate,
    "demo": cmd_demo,
    "createuser": cmd_createuser,
    "unlock-login": cmd_unlock_login,
    "import-places": cmd_import_places,
    "find-duplicates": cmd_find_duplicates,
    "prune-idempotency-keys": cmd_prune_idempotency_keys,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "stock-check": cmd_stock_check,
    "stock-alerts": cmd_stock_alerts,
    "stock-open-vials": cmd_stock_open_vials,
    "recompute-forecasts": cmd_recompute_forecasts,
}
DELEGATED = {"cdsi-run": "schedule.conformance", "scan": "scanning.cli"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in DELEGATED:
        return _delegate(DELEGATED[argv[0]], argv[1:])
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_environment()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    return COMMANDS[args.command](settings, args)


if __name__ == "__main__":
    sys.exit(main())
