class Refused(Exception):
    """The rules do not allow this (a late vote, a proxy without its form…): nothing is written.

    `message` is shown to the user in Chinese; `status` is the HTTP answer the API gives.
    """

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status
