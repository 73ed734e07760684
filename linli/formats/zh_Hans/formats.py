"""Chinese formats with the ISO date first: `<input type="date">` only shows a value written as
YYYY-MM-DD, and Django renders a date field's value in the first input format (Django's own zh_Hans
puts YYYY/MM/DD first, so every date field opened empty). The other forms are still accepted."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403
from django.conf.locale.zh_Hans.formats import DATE_INPUT_FORMATS as _DATES
from django.conf.locale.zh_Hans.formats import DATETIME_INPUT_FORMATS as _MOMENTS

DATE_INPUT_FORMATS = ["%Y-%m-%d"] + [f for f in _DATES if f != "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] + [
    f for f in _MOMENTS if f not in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")]
