"""Taking over a subject from another area: proof at the move, or a transfer request."""
