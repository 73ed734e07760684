class Refused(Exception):
    """A request the rules refuse (window closed, over a limit or cap, not enough points): nothing is booked.

    The message is shown to the user as is, so it is always plain Chinese.
    """

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


class KeyReused(Refused):
    """An idempotency key already used for a different request."""

    def __init__(self, message: str = "该请求编号已用于另一笔不同的业务，本次未办理。"):
        super().__init__(message, status=409)
