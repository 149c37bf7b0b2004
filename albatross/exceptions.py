"""Errors the service layer raises; the API turns each into a JSON body with its status."""


class AlbatrossError(Exception):
    status = 500
    title = "Internal Server Error"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class BadRequest(AlbatrossError):
    status, title = 400, "Bad Request"


class Forbidden(AlbatrossError):
    status, title = 403, "Forbidden"


class NotFound(AlbatrossError):
    status, title = 404, "Not Found"


class NotAcceptable(AlbatrossError):
    status, title = 406, "Not Acceptable"


class Conflict(AlbatrossError):
    status, title = 409, "Conflict"


class PayloadTooLarge(AlbatrossError):
    status, title = 413, "Payload Too Large"


class TooManyRequests(AlbatrossError):
    status, title = 429, "Too Many Requests"


class UpstreamUnavailable(AlbatrossError):
    """A region needed to answer the request synchronously did not."""
    status, title = 503, "Service Unavailable"
