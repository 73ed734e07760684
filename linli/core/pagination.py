"""The one pagination of /api/v1/: `?page=&page_size=`, answered as `{"count": …, "items": […]}`.

Both numbers are bounded in the input schema, so the largest OFFSET the database is asked for is
MAX_PAGE × MAX_PAGE_SIZE (a page beyond the data is an empty page, a page beyond MAX_PAGE a 422,
never a 500). Paging parameters of other conventions (`offset`, `limit`…) are refused with 422
rather than ignored, so a client written for another convention finds out at once instead of
reading the first page forever. See docs/ARCHITECTURE.md, "Lists".

A list whose handler returns a queryset takes `@paginated()`; one that shapes its rows itself (or
embeds a page in a larger answer) takes `paging: Query[PageIn]` and calls `page_of`.
"""

from typing import Any

from ninja import Field, Schema
from ninja.errors import ValidationError
from ninja.pagination import PaginationBase, paginate

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 100
PAGE_SIZE = 50
FOREIGN = ("offset", "limit", "per_page", "cursor", "start")


class PageIn(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="页码，从 1 开始")
    page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE, description="每页条数（不填用该列表的默认值）")


def refuse_foreign(request) -> None:
    given = [name for name in FOREIGN if name in request.GET]
    if given:
        raise ValidationError([
            {"type": "unknown_paging_parameter", "loc": ["query", name],
             "msg": f"不支持分页参数 {name}，请用 page 和 page_size。"} for name in given])


def page_of(request, rows, paging: PageIn | None = None, *, page_size: int = PAGE_SIZE) -> dict:
    """`{"count", "items"}` for one page of a queryset or a list."""
    refuse_foreign(request)
    paging = paging or PageIn()
    size = paging.page_size or page_size
    start = (paging.page - 1) * size
    count = len(rows) if isinstance(rows, list) else rows.count()
    return {"count": count, "items": list(rows[start:start + size])}


class Pages(PaginationBase):
    Input = PageIn

    class Output(Schema):
        count: int
        items: list[Any]

    def __init__(self, page_size: int = PAGE_SIZE, **kwargs):
        self.page_size = page_size
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset, pagination: PageIn, request, **params):
        return page_of(request, queryset, pagination, page_size=self.page_size)


def paginated(page_size: int = PAGE_SIZE):
    """ninja's `@paginate` with this project's parameters and answer."""
    return paginate(Pages, page_size=page_size)


def page_schema(item: type[Schema]) -> type[Schema]:
    """The answer of a list of `item` rows, named like ninja names its own (`PagedCaseOut`)."""
    return type(f"Paged{item.__name__}", (Schema,), {"__annotations__": {"count": int, "items": list[item]},
                                                      "__module__": item.__module__})
