"""How many password guesses a sign-in (or a password change) may cost, and from where.

No rule here locks an account: a lock is a button anyone who knows a user name can press,
``admin`` included. Instead (after OWASP's authentication guidance and what mature systems do):

- **per address**: an address (an IPv6 /64) that fails ``per_address`` times in the window
  waits for the window's end, whichever accounts it tried;
- **per account and address**: an address that fails ``per_account_address`` times on one
  account waits for the window's end, for that account only;
- **per account, back-off**: each failure of the account beyond ``backoff_after`` in an hour,
  from anywhere, makes the next attempt wait longer (30 s, 60 s, … up to ``backoff_max``).
  The wait holds only for addresses and devices the account never signed in from (in the
  last 30 days): the owner at a known address, or on a phone that signed in before (its
  ``niis_device`` cookie), signs in while strangers are slowed down.

So an attacker spread over many addresses gets a bounded number of guesses per account
per hour (with the defaults, about 12), one address gets ``per_account_address`` per window,
and the owner's known addresses are never refused for others' failures.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass
from urllib.parse import quote

from api.auth.ratelimit import AttemptCounter
from api.errors import TooManyRequests

FIRST_WAIT_SECONDS = 30
BACKOFF_WINDOW_SECONDS = 3600  # the account's failures count for an hour after the first
KNOWN_FOR_SECONDS = 30 * 24 * 3600  # an address or device stays known this long after a sign-in
DEVICE_COOKIE = "niis_device"
_DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


@dataclass(frozen=True)
class LoginLimits:
    per_account_address: int = 5
    per_address: int = 20
    window_seconds: int = 900
    backoff_after: int = 5
    backoff_max_seconds: int = 900


def network(client_address: str) -> str:
    """The unit an attacker controls: one IPv4 address, or an IPv6 /64 (one subscriber's)."""
    try:
        address = ipaddress.ip_address(client_address)
    except ValueError:
        return client_address
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _account(username: str) -> str:
    # Quoted: no ':' to blur two keys together, no glob characters for ``forget``.
    return quote(username.lower(), safe="")


def device_id(cookie: str | None) -> str:
    """The browser's device id from its cookie, or a new one (random: unguessable, so a
    stranger cannot pass for the owner's phone; it names no one)."""
    return cookie if cookie and _DEVICE_ID.match(cookie) else secrets.token_urlsafe(16)


@dataclass(frozen=True)
class _Keys:
    address: str
    pair: str
    failures: str
    wait: str
    known: list[str]  # the known-address key, and the known-device key with a device


def _keys(username: str, client_address: str, device: str | None) -> _Keys:
    account, where = _account(username), network(client_address)
    known = [f"login:account:{account}:known:{where}"]
    if device:
        known.append(f"login:account:{account}:device:{device}")
    return _Keys(
        address=f"login:address:{where}",
        pair=f"login:account:{account}:from:{where}",
        failures=f"login:account:{account}:failures",
        wait=f"login:account:{account}:wait",
        known=known,
    )


def backoff_seconds(failures: int, limits: LoginLimits) -> int:
    """The wait after an account's ``failures``-th failure in the hour (0: none yet)."""
    if failures < limits.backoff_after:
        return 0
    return min(limits.backoff_max_seconds, FIRST_WAIT_SECONDS * 2 ** min(failures - limits.backoff_after, 20))


async def refuse_if_limited(
    counter: AttemptCounter, limits: LoginLimits, username: str, client_address: str, device: str | None = None
) -> None:
    """429 with Retry-After if this attempt must wait; checked before the password is."""
    keys = _keys(username, client_address, device)
    for key, limit, whom in (
        (keys.address, limits.per_address, "from this address"),
        (keys.pair, limits.per_account_address, "for this account from this address"),
    ):
        attempts, seconds_left = await counter.peek(key)
        if attempts >= limit:
            _refuse(f"Too many failed sign-ins {whom}", seconds_left)
    waiting, seconds_left = await counter.peek(keys.wait)
    if waiting and not await _known(counter, keys):
        _refuse(
            "Too many failed sign-ins for this account from new places (a device that signed in "
            "before is not held back, and an officer can clear the wait)",
            seconds_left,
        )


async def _known(counter: AttemptCounter, keys: _Keys) -> bool:
    """Whether this address or browser signed in to the account before; stops at the first."""
    for key in keys.known:
        if (await counter.peek(key))[0]:
            return True
    return False


def _refuse(why: str, seconds_left: int) -> None:
    wait = max(1, seconds_left)
    raise TooManyRequests(f"{why}; try again in {wait} seconds", retry_after=wait)


async def record_failure(counter: AttemptCounter, limits: LoginLimits, username: str, client_address: str) -> None:
    keys = _keys(username, client_address, None)
    await counter.hit(keys.address, limits.window_seconds)
    await counter.hit(keys.pair, limits.window_seconds)
    failures, _ = await counter.hit(keys.failures, BACKOFF_WINDOW_SECONDS)
    if wait := backoff_seconds(failures, limits):
        await counter.hold(keys.wait, wait)


async def record_success(
    counter: AttemptCounter, username: str, client_address: str, device: str | None = None
) -> None:
    """The address (and device) become known to the account; its own failures there are
    forgiven. The back-off stays: the owner signing in gives strangers no new guesses."""
    keys = _keys(username, client_address, device)
    await counter.reset(keys.pair)
    for key in keys.known:
        await counter.hold(key, KNOWN_FOR_SECONDS)


async def clear_account(counter: AttemptCounter, username: str) -> int:
    """Forget the account's failures and waits (not its known addresses or devices); how many went."""
    account = _account(username)
    cleared = 0
    for suffix in ("failures", "wait", "from:"):
        cleared += await counter.forget(f"login:account:{account}:{suffix}")
    return cleared
