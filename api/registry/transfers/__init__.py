"""Taking over a subject from another area: proof at the move (the card's code or the
personal ID number), or a transfer request the side the child comes from decides."""

__all__ = ["controllers", "schemas", "services"]
