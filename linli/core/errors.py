class NotFound(Exception):
    """Out of sight or absent: answered as 404, the same either way."""


class Forbidden(Exception):
    """In sight but not the actor's to change: answered as 403."""
