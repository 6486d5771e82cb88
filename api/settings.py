"""Settings from environment variables, with safe defaults for the embedded set-up."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from api.auth.signin_limits import FIRST_WAIT_SECONDS, LoginLimits
from db.engine import DEFAULT_DATABASE_URL


class SettingsError(ValueError):
    """A setting is missing or wrong; the message says which and how to fix it."""


def _int(environ: dict[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None


def _networks(environ: dict[str, str], name: str, default: str) -> tuple[str, ...]:
    """Comma-separated addresses or networks (CIDR), checked here: uvicorn would silently
    treat a mistyped one as a name that never matches, and every client would share the
    proxy's address."""
    raw = environ.get(name) or default
    entries = tuple(entry.strip() for entry in raw.split(",") if entry.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry)
        except ValueError:
            raise SettingsError(
                f"{name} must list IP addresses or networks separated by commas "
                f"(e.g. 127.0.0.1,10.0.0.0/24), not {entry!r}"
            ) from None
    return entries


DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    secret_key: str = field(default="", repr=False)
    # The SMART Health Card issuer's ES256 private key (PEM); api.certificates signs with it.
    issuer_key_pem: str = field(default="", repr=False)
    production: bool = False
    public_base_url: str = "http://127.0.0.1:8000"
    log_level: str = "INFO"
    var_dir: Path = Path("var")
    max_body_bytes: int = 15 * 1024 * 1024
    session_hours: int = 12
    login_limits: LoginLimits = field(default_factory=LoginLimits)
    scan_workers: int = 1
    scans_per_minute: int = 60
    scan_max_pixels: int = 40_000_000
    scan_time_budget: float = 2.0
    # Peers whose X-Forwarded-For / X-Forwarded-Proto `niis serve` believes (its proxy).
    trusted_proxies: tuple[str, ...] = tuple(DEFAULT_TRUSTED_PROXIES.split(","))

    def require_issuer_key(self) -> None:
        """The app signs vaccination certificates: in production its key must be configured."""
        if self.production and not self.issuer_key_pem:
            raise SettingsError(
                "NIIS_ISSUER_KEY_FILE is required when NIIS_ENV=production: the path of the P-256 private "
                "key that signs vaccination certificates (create it with "
                "`openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`; docs/deploy.md, step 6)"
            )

    @property
    def secure_cookies(self) -> bool:
        return self.production or self.public_base_url.startswith("https://")

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        production = env.get("NIIS_ENV", "development").lower() == "production"
        var_dir = Path(env.get("NIIS_VAR_DIR", "var"))
        secret_key = env.get("NIIS_SECRET_KEY", "")
        if not secret_key:
            if production:
                raise SettingsError(
                    "NIIS_SECRET_KEY is required when NIIS_ENV=production: "
                    "set it to a long random string (e.g. `openssl rand -hex 32`)"
                )
            secret_key = stored_secret_key(var_dir)
        if len(secret_key) < 32:
            raise SettingsError("NIIS_SECRET_KEY must be at least 32 characters long")
        issuer_key_pem = _issuer_key(env, production, var_dir)
        log_level = env.get("NIIS_LOG_LEVEL", "INFO").upper()
        if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise SettingsError(f"NIIS_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {log_level!r}")
        return cls(
            database_url=env.get("NIIS_DATABASE_URL") or DEFAULT_DATABASE_URL,
            redis_url=env.get("NIIS_REDIS_URL") or None,
            secret_key=secret_key,
            issuer_key_pem=issuer_key_pem,
            production=production,
            public_base_url=env.get("NIIS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            log_level=log_level,
            var_dir=var_dir,
            max_body_bytes=_int(env, "NIIS_MAX_BODY_BYTES", 15 * 1024 * 1024),
            session_hours=_int(env, "NIIS_SESSION_HOURS", 12),
            login_limits=_login_limits(env),
            # One core stays free for the app itself, so scans never slow other requests.
            scan_workers=max(1, _int(env, "NIIS_SCAN_WORKERS", (os.cpu_count() or 2) - 1)),
            scans_per_minute=_int(env, "NIIS_SCANS_PER_MINUTE", 60),
            scan_max_pixels=_int(env, "NIIS_SCAN_MAX_PIXELS", 40_000_000),
            trusted_proxies=_networks(env, "NIIS_TRUSTED_PROXIES", DEFAULT_TRUSTED_PROXIES),
        )


def _login_limits(env: dict[str, str]) -> LoginLimits:
    if env.get("NIIS_LOGIN_ATTEMPTS_PER_ACCOUNT"):
        # Its meaning (lock the account from everywhere) is gone on purpose; a silent
        # re-reading would leave the operator believing in a lock that no longer exists.
        raise SettingsError(
            "NIIS_LOGIN_ATTEMPTS_PER_ACCOUNT is no longer used: accounts are not locked any more. "
            "Use NIIS_LOGIN_ATTEMPTS_PER_ACCOUNT_ADDRESS (failures from one address on one account) "
            "and NIIS_LOGIN_BACKOFF_AFTER (failures of an account before new addresses wait); see the README"
        )
    default = LoginLimits()
    limits = LoginLimits(
        per_account_address=_int(env, "NIIS_LOGIN_ATTEMPTS_PER_ACCOUNT_ADDRESS", default.per_account_address),
        per_address=_int(env, "NIIS_LOGIN_ATTEMPTS_PER_ADDRESS", default.per_address),
        window_seconds=_int(env, "NIIS_LOGIN_WINDOW_SECONDS", default.window_seconds),
        backoff_after=_int(env, "NIIS_LOGIN_BACKOFF_AFTER", default.backoff_after),
        backoff_max_seconds=_int(env, "NIIS_LOGIN_BACKOFF_MAX_SECONDS", default.backoff_max_seconds),
    )
    if min(limits.per_account_address, limits.per_address, limits.window_seconds, limits.backoff_after) < 1:
        raise SettingsError("the NIIS_LOGIN_* settings must be at least 1")
    if limits.backoff_max_seconds < FIRST_WAIT_SECONDS:
        raise SettingsError(f"NIIS_LOGIN_BACKOFF_MAX_SECONDS must be at least {FIRST_WAIT_SECONDS} (the first wait)")
    return limits


def _issuer_key(env: dict[str, str], production: bool, var_dir: Path) -> str:
    """The certificate signing key: the file NIIS_ISSUER_KEY_FILE names (production), else
    the embedded set-up's own, generated once under the data directory. In production
    without the file it is empty: only serving needs it (``require_issuer_key``), so the
    nightly jobs of an installation not yet given one keep running."""
    path = env.get("NIIS_ISSUER_KEY_FILE", "")
    if not path:
        return "" if production else stored_issuer_key(var_dir)
    try:
        pem = Path(path).read_text()
    except OSError as exc:
        raise SettingsError(f"NIIS_ISSUER_KEY_FILE ({path}) cannot be read: {exc.strerror}") from None
    try:
        key = ECKey.import_key(pem)
    except (ValueError, TypeError, JoseError):
        raise SettingsError(f"NIIS_ISSUER_KEY_FILE ({path}) is not a PEM private key") from None
    if key.as_dict()["crv"] != "P-256" or not key.is_private:
        raise SettingsError(f"NIIS_ISSUER_KEY_FILE ({path}) must hold a P-256 (prime256v1) private key")
    return pem


def stored_issuer_key(var_dir: Path) -> str:
    """The embedded set-up's certificate signing key, generated on first start (mode 600)."""
    path = var_dir / "issuer_key.pem"
    if path.exists():
        return path.read_text()
    var_dir.mkdir(parents=True, exist_ok=True)
    pem = ECKey.generate_key("P-256", private=True).as_pem(private=True).decode("ascii")
    # Written whole under another name, then linked in place: an instance starting at the
    # same moment finds either no file or the complete one, and both keep the first key.
    draft = var_dir / f"issuer_key.{os.getpid()}.tmp"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(pem)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text()


def stored_secret_key(var_dir: Path) -> str:
    """The embedded set-up's secret: generated on first start, then read back."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
