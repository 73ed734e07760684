"""Page-number pagination for the API with a bounded page number.

ninja's `PageNumberPagination` accepts any page ≥ 1; a page like 10**22 turns into an OFFSET the
database cannot hold (SQLite: "datatype mismatch", PostgreSQL: bigint out of range), a 500. Capping
the number in the input schema makes such a request a 422 and documents the limit.
"""

from ninja import Field
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000


class PageNumbers(PageNumberPagination):
    class Input(PageNumberPagination.Input):
        page: int = Field(1, ge=1, le=MAX_PAGE)
