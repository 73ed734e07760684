"""iCalendar (RFC 5545) for a meeting series, written by hand: CRLF line ends, lines folded at 75 octets."""

import datetime as dt

from django.utils import timezone

from linli.core import clock
from linli.council.models import RECURRENCE


def escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, never inside a UTF-8 character (§3.1)."""
    out, current, size = [], "", 0
    limit = 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def series_ics(series, host: str = "linli") -> str:
    freq, interval = RECURRENCE[series.kind]
    rule = f"FREQ={freq};INTERVAL={interval}"
    if series.until:
        end_of_day = timezone.make_aware(dt.datetime.combine(series.until, dt.time(23, 59, 59)))
        rule += f";UNTIL={_utc(end_of_day)}"
    place = series.compound.name if series.compound_id else series.community.name
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Linli//Council//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(series.name)}",
        "BEGIN:VEVENT",
        f"UID:council-series-{series.pk}@{host}",
        f"DTSTAMP:{_utc(clock.now())}",
        f"DTSTART:{_utc(series.first_at)}",
        f"DTEND:{_utc(series.first_at + dt.timedelta(minutes=series.duration_minutes))}",
        f"RRULE:{rule}",
        f"SUMMARY:{escape(series.name)}",
        f"LOCATION:{escape(series.location or place)}",
        f"DESCRIPTION:{escape(f'{series.get_kind_display()} · {place}')}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)
