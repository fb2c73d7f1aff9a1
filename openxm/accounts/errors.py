"""Errors services raise for bad input. Each names the field and the problem, translated."""


class InvalidInput(Exception):
    def __init__(self, field: str, message: str):
        self.field = field
        self.message = str(message)
        super().__init__(f"{field}: {self.message}")


class NotFound(Exception):
    """The object does not exist in the actor's organization (or at all: no difference shown)."""

    def __init__(self, what: str, key):
        self.what = what
        self.key = key
        super().__init__(f"{what} {key!r} not found")
