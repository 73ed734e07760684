class Refused(Exception):
    """A request the rules refuse (closed month, missing invoice, posted entry, outsider's rating): nothing is booked.

    The message is shown to the user as is, so it is always plain Chinese.
    """

    def __init__(self, message: str, *, status: int = 400, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field
