"""Who the caller is: sign-in, sessions and bearer tokens, passwords, sign-in limits, roles
and the route guards."""

__all__ = [
    "controllers",
    "guards",
    "middleware",
    "passwords",
    "principal",
    "ratelimit",
    "roles",
    "services",
    "sessions",
    "signin_limits",
]
