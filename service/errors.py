"""One error family carrying its HTTP status; the API turns it into {"error", "detail"}."""


class ServiceError(Exception):
    status_code = 500

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadRequest(ServiceError):
    status_code = 400


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
