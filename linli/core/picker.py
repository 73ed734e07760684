"""One searched picker for choices drawn from tables that grow (residents, households, dwellings…).

A form never lists such a table: a select or a list of checkboxes over it grew with the city (791
households on one Party member form, every resident of a district on the points award page). The
picker renders only what is chosen, as chips, and a search box. The box asks the owning domain's
endpoint (htmx GET, debounced) for at most `MAX_RESULTS` matches within the actor's sight and shows
them as options to tick; `picker.js` turns a ticked option into a chip.

Without JavaScript the box is submitted with the form: a search still waiting in it stops the save,
and the form comes back with the same matches (the endpoint's fragment) to tick. Every posted id is
checked again against the form's own queryset, so an id out of sight, forged or stale, is the field's
error in Chinese and nothing is written.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from linli.core.ids import parse_id

MAX_RESULTS = 20
MAX_QUERY = 50  # characters; no name, number or address a person types is longer
MAX_PICKED = 200  # ids one multiple picker takes in one post
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Source:
    """What a picker searches: the endpoint that answers, how text matches, and how a row reads.

    `search(queryset, text)` narrows a queryset already limited to the actor's sight; `prepare` adds
    what `label` and `detail` read (select_related, annotations); neither may return an unmasked
    personal number.
    """

    url_name: str
    noun: str
    placeholder: str
    search: Callable[[QuerySet, str], QuerySet]
    label: Callable[[Any], str] = str
    detail: Callable[[Any], str] | None = None
    prepare: Callable[[QuerySet], QuerySet] = lambda queryset: queryset


def terms_q(text: str, fields: tuple[str, ...]) -> Q:
    """Every word of `text` in one of `fields`: "康宁 3号楼 501" finds that dwelling."""
    q = Q()
    for word in text.split()[:5]:
        either = Q()
        for field in fields:
            either |= Q(**{f"{field}__icontains": word})
        q &= either
    return q


def _ids(values) -> list[int]:
    """The valid ids among posted or initial values, in order, once each (the rest name no row)."""
    found: list[int] = []
    for value in values:
        pk = getattr(value, "pk", value)
        try:
            number = parse_id(pk)
        except (TypeError, ValueError):
            continue
        if number not in found:
            found.append(number)
    return found


def matches(source: Source, queryset: QuerySet, text: str, *, exclude=()) -> tuple[list, bool, str]:
    """(rows, more, problem): at most MAX_RESULTS rows matching `text`, whether more match, and why
    nothing was searched (text too long)."""
    text = (text or "").strip()
    if not text:
        return [], False, ""
    if len(text) > MAX_QUERY:
        return [], False, f"搜索内容过长，请输入不超过 {MAX_QUERY} 个字。"
    found = source.prepare(source.search(queryset, text))
    if exclude:
        found = found.exclude(pk__in=exclude)
    rows = list(found[:MAX_RESULTS + 1])
    return rows[:MAX_RESULTS], len(rows) > MAX_RESULTS, ""


def results_context(source: Source, queryset: QuerySet, *, name: str, text: str, post: bool,
                    exclude=()) -> dict:
    rows, more, problem = matches(source, queryset, text, exclude=exclude)
    return {
        "name": name, "text": (text or "").strip(), "post": post, "more": more, "problem": problem,
        "noun": source.noun, "limit": MAX_RESULTS,
        "options": [{"pk": row.pk, "label": source.label(row),
                     "detail": source.detail(row) if source.detail else ""} for row in rows],
    }


def answer(request, queryset: QuerySet, source: Source):
    """The endpoint's answer: the options matching `?<name>_q=` within `queryset` (the actor's sight).

    Out of sight is simply not found. `name` is the form field the options belong to.
    """
    name = request.GET.get("name", "")
    if not _NAME.match(name):
        return HttpResponseBadRequest("缺少或无效的字段名。", content_type="text/plain; charset=utf-8")
    context = results_context(source, queryset, name=name, text=request.GET.get(f"{name}_q", ""), post=False)
    response = render(request, "core/_picker_results.html", context)
    # Names of people: never kept by a shared cache or the browser's history.
    response["Cache-Control"] = "private, no-store"
    return response


class Picker(forms.Widget):
    """Chips for the chosen rows, a search box, and the options of a search still waiting (no JS)."""

    template_name = "core/picker.html"

    def __init__(self, source: Source, *, multiple: bool = False, attrs=None):
        super().__init__(attrs)
        self.source = source
        self.multiple = multiple
        self.queryset = None  # set by the field
        self.params: dict = {}  # narrowing the endpoint applies too (e.g. one compound)
        self.query = ""

    def use_required_attribute(self, initial):
        # The box holds a search, not the value: the browser must not insist on text in it.
        return False

    def value_from_datadict(self, data, files, name):
        self.query = (data.get(f"{name}_q") or "").strip()
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if values is None or isinstance(values, str | int):
            values = [] if values in (None, "") else [values]
        values = [v for v in values if v not in ("", None)]
        if self.multiple:
            return values
        return values[0] if len(values) == 1 else (values or None)

    def value_omitted_from_data(self, data, files, name):
        # Chips are checkboxes: with none ticked the name is absent, and that means "none chosen".
        return False

    def format_value(self, value):
        if value is None or value == "":
            return []
        if isinstance(value, list | tuple | set | QuerySet):
            return list(value)
        return [value]

    def url(self, name: str) -> str:
        return f"{reverse(self.source.url_name)}?{urlencode({'name': name, **self.params})}"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        ids = _ids(context["widget"]["value"])
        chosen = []
        if ids and self.queryset is not None:
            rows = {row.pk: row for row in self.source.prepare(self.queryset.filter(pk__in=ids))}
            chosen = [{"pk": pk, "label": self.source.label(rows[pk])} for pk in ids if pk in rows]
        results = None
        if self.query and self.queryset is not None:
            results = results_context(self.source, self.queryset, name=name, text=self.query, post=True,
                                      exclude=[c["pk"] for c in chosen])
        context["widget"].update({
            "chosen": chosen, "multiple": self.multiple, "url": self.url(name), "results": results,
            "placeholder": self.source.placeholder, "noun": self.source.noun,
        })
        return context


class _Picking:
    """What the one- and many-row picker fields share: the widget, Chinese errors, the waiting search."""

    def _setup(self, source: Source, kwargs: dict, *, multiple: bool) -> dict:
        self.source = source
        kwargs.setdefault("widget", Picker(source, multiple=multiple))
        messages = {
            "invalid_choice": f"所选{source.noun}不存在或不在您的工作范围内，请重新搜索选择。",
            "invalid_pk_value": f"所选{source.noun}不存在或不在您的工作范围内，请重新搜索选择。",
            "required": f"请搜索并选择{source.noun}。",
            "invalid_list": f"请搜索并选择{source.noun}。",
        }
        kwargs["error_messages"] = {**messages, **kwargs.get("error_messages", {})}
        return kwargs

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self.widget.queryset = self.queryset

    queryset = property(lambda self: self._queryset, _set_queryset)

    def label_from_instance(self, obj):
        return self.source.label(obj)

    def narrow(self, **params) -> None:
        """Pass a narrowing to the endpoint too, so the options offered are the ones the form takes."""
        self.widget.params = {k: v for k, v in params.items() if v is not None}

    def _refuse_waiting_search(self):
        # The typed text is not repeated: it may be a whole ID number or phone.
        if self.widget.query:
            raise ValidationError(f"请在下方的搜索结果中勾选{self.source.noun}，再提交。", code="search_waiting")


class PickOne(_Picking, forms.ModelChoiceField):
    """One row of a growing table, chosen by searching."""

    def __init__(self, source: Source, *, queryset=None, **kwargs):
        super().__init__(queryset=queryset, **self._setup(source, kwargs, multiple=False))

    def clean(self, value):
        self._refuse_waiting_search()
        if isinstance(value, list):
            raise ValidationError(f"只能选择一个{self.source.noun}。", code="several")
        return super().clean(value)


class PickMany(_Picking, forms.ModelMultipleChoiceField):
    """Several rows of a growing table, chosen by searching; shown as removable chips."""

    def __init__(self, source: Source, *, queryset=None, **kwargs):
        super().__init__(queryset=queryset, **self._setup(source, kwargs, multiple=True))

    def clean(self, value):
        self._refuse_waiting_search()
        values = list(dict.fromkeys(value or []))
        if len(values) > MAX_PICKED:
            raise ValidationError(f"一次最多选择 {MAX_PICKED} 个{self.source.noun}。", code="too_many")
        return super().clean(values)
