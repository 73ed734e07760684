"""Bounded integers for everything that comes in: ids, and the counts, years and scores beside them.

Python integers have no size, database columns do (64 bits: PostgreSQL bigint, SQLite INTEGER). An
integer beyond them reached the database and crashed the request (SQLite: OverflowError; PostgreSQL:
"out of range"), so every id an API schema or query parameter takes is an `Id`, and every id a page
reads from a query string or form goes through `parse_int` or `parse_id`: out of range is bad input, never a 500.
"""

from typing import Annotated

from pydantic import Field

MAX_ID = 2**63 - 1  # the largest value a bigint column holds

# Ids start at 1 in every table: 0 or a negative number names no row.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# A count, amount in points, score or other small whole number that a 32-bit column must hold.
MAX_INT = 2**31 - 1
MAX_SMALL = 2**15 - 1  # a smallint column (floors, scores)
Count = Annotated[int, Field(ge=0, le=MAX_INT)]

# Years a record may be about: budgets, schemes, build years.
Year = Annotated[int, Field(ge=1900, le=2100)]


def parse_int(value) -> int:
    """The integer in `value` (text or int), or ValueError when no 64-bit column could hold it."""
    number = int(str(value).strip())
    if not -MAX_ID - 1 <= number <= MAX_ID:
        raise ValueError(f"integer out of range: {value!r}")
    return number


def parse_id(value) -> int:
    """The id in `value` (text or int), or ValueError when it is not one a table could hold."""
    number = parse_int(value)
    if number < 1:
        raise ValueError(f"not an id: {value!r}")
    return number
