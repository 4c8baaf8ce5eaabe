"""The errors domain functions raise. Each carries the HTTP status it means, so views never map
errors by hand: one DRF exception handler and one middleware (``core/http.py``) answer them.

| class        | status | meaning                                                   |
|--------------|--------|-----------------------------------------------------------|
| DomainError  | 400    | the request is invalid; ``field`` names what is wrong     |
| NotAllowed   | 403    | the caller may see the object but not make this change    |
| NotFound     | 404    | nothing the caller may see has this identity              |
| Conflict     | 409    | the change clashes with the current state (already done)  |
"""


class DomainError(Exception):
    """A message a user can read, maybe naming a field; HTTP 400 unless a subclass says else."""

    status = 400

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict:
        return {self.field or "detail": [str(self.message)]}


class NotAllowed(DomainError):
    """The actor may see the object but not make this change (HTTP 403)."""

    status = 403

    def as_dict(self) -> dict:
        return {"detail": str(self.message)}


class NotFound(DomainError):
    """Nothing the actor may see has this identity (HTTP 404)."""

    status = 404

    def as_dict(self) -> dict:
        return {"detail": str(self.message)}


class Conflict(DomainError):
    """The change clashes with the object's current state, e.g. it was already made (HTTP 409)."""

    status = 409
