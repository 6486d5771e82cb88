"""Taking over a subject from another area: proof at the move (the card's code or the
personal ID number), or a transfer request the side the child comes from decides; and where a child can go
(destinations: the facilities of the whole country by name)."""

__all__ = ["controllers", "destinations", "schemas", "services"]
