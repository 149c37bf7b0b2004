"""What a simulated service refuses: the status and message the real one answers with (each
service's HTTP side writes it in that service's own error format)."""


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message
