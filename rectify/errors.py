class DomainError(Exception):
    """The one error type domain functions raise: a message a user can read, maybe a field."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict:
        return {self.field or "detail": [str(self.message)]}
