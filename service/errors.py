"""One error family carrying its HTTP status; the API turns it into {"error", "detail"}.

The rule for client errors: 422 when the request's payload is invalid (pydantic's own checks,
and `Invalid` for rules pydantic cannot see), 400 when a valid request cannot be done in the
current state, 409 when it conflicts with what is stored, 401/403/404 as usual.
"""


class ServiceError(Exception):
    status_code = 500

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadRequest(ServiceError):
    status_code = 400


class Invalid(ServiceError):
    """A payload field breaks a rule; the message names the field first ("name: ...")."""

    status_code = 422


class Unauthorized(ServiceError):
    status_code = 401


class Forbidden(ServiceError):
    status_code = 403


class NotFound(ServiceError):
    status_code = 404


class Conflict(ServiceError):
    status_code = 409


class Unavailable(ServiceError):
    status_code = 503


class InvalidRows(ServiceError):
    """A bulk write refused as a whole, with one entry per offending row."""

    status_code = 422

    def __init__(self, errors: list[dict[str, object]]) -> None:
        super().__init__(f"{len(errors)} row(s) were rejected; nothing was written")
        self.errors = errors
