"""How a person is told apart: the lifelong code and the name keys every part of the
registry (subjects, search, duplicates, cards) compares. Imports nothing of the registry."""

__all__ = ["codes", "names"]
