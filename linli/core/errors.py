"""The errors services raise, and the one body the API answers any error with.

Services raise `NotFound`, `Forbidden` or `Refused`; pages show the Chinese message, the API answers
`ErrorOut` (see docs/ARCHITECTURE.md, "Errors"). Clients and tests match on `code`, which never
changes once published; `detail` is the sentence a person reads and may be reworded.
"""


class NotFound(Exception):
    """Out of sight or absent: answered as 404, the same either way."""


class Forbidden(Exception):
    """In sight but not the actor's to change: answered as 403."""


class Refused(Exception):
    """The rules do not allow this request (window closed, not enough points, month closed…): nothing is written.

    `code` is a stable snake_case string for programs (`window_closed`, `insufficient_points`);
    `message` is plain Chinese, shown to the person as is; `status` is the HTTP answer of the API;
    `field` names the input at fault, when there is one.
    """

    def __init__(self, code: str, message: str, *, status: int = 400, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.field = field


# The codes every domain shares; a domain's own refusals carry their own codes.
NOT_FOUND = "not_found"
FORBIDDEN = "forbidden"
UNAUTHENTICATED = "unauthenticated"
INVALID = "invalid"
METHOD_NOT_ALLOWED = "method_not_allowed"
UNAVAILABLE = "unavailable"
KEY_REUSED = "key_reused"
