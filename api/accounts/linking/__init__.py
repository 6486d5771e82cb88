"""A parent links a child to their account: by a code sent to a guardian's phone, or by the
child's card and birth date."""

__all__ = ["controllers", "services"]
