"""People's accounts: staff users and their roles (users), and parents linking their children (linking)."""

__all__ = ["linking", "users"]
