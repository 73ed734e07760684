from django import forms
from django.db import Error, connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from linli.core import audit_labels, selectors
from linli.core.channel import CHANNELS, PHRASES, phrase
from linli.core.pages import paginate

# Entries are tall on a phone (six labelled lines each): a shorter page than the lists of rows.
AUDIT_PAGE_SIZE = 20


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Error as exc:  # any database failure (django.db.Error is the base of them all) means "not ok"
        return JsonResponse({"status": "error", "database": str(exc.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="操作人（用户名）", required=False)
    action = forms.ChoiceField(label="动作", required=False)
    object_type = forms.ChoiceField(label="对象类型", required=False)
    channel = forms.ChoiceField(label="渠道", required=False,
                                choices=[("", "全部")] + [(code, PHRASES[code]) for code in CHANNELS])
    date_from = forms.DateField(label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "全部")] + [
            (a, audit_labels.action_label(a)) for a in choices["actions"]]
        self.fields["object_type"].choices = [("", "全部")] + [
            (t, audit_labels.object_label(t)) for t in choices["object_types"]]


def _change_rows(object_type: str, changes) -> list[tuple[str, object, object]]:
    """(field, before, after) rows in the reader's words; services write {field: [before, after]},
    other shapes are shown as after."""
    label, value = audit_labels.field_label, audit_labels.value_label
    if not isinstance(changes, dict):
        return [("", None, value(changes))]
    rows = []
    for name, change in changes.items():
        if isinstance(change, list | tuple) and len(change) == 2:
            before, after = change
            rows.append((label(object_type, name), None if before is None else value(before),
                         None if after is None else value(after)))
        else:
            rows.append((label(object_type, name), None, value(change)))
    return rows


def _change_summary(rows) -> str:
    """The fields an entry changed, in a line: the values open on a tap, so a page of entries stays short
    on a phone."""
    names = [name for name, _, _ in rows if name]
    if not names:
        return "查看内容"
    shown = "、".join(names[:3])
    return f"{shown} 等 {len(names)} 项" if len(names) > 3 else shown


@require_safe
def audit_list(request):
    # Only the whole-area roles read the log; to anyone else the page does not exist.
    from linli.core.scoping import scope_for

    scope = scope_for(request.user)
    if not scope.everything:
        raise Http404("未找到")
    form = AuditFilterForm(request.GET or None, choices=selectors.audit_choices())
    filters = {}
    if form.is_bound:
        form.is_valid()
        # Invalid fields are reported on the form and left out; the valid ones still filter.
        filters = form.cleaned_data
    page, query = paginate(request, selectors.audit_list_visible_to(scope=scope, filters=filters), AUDIT_PAGE_SIZE)
    for entry in page:
        entry.change_rows = _change_rows(entry.object_type, entry.changes)
        entry.change_summary = _change_summary(entry.change_rows)
        entry.action_label = audit_labels.action_label(entry.action)
        entry.object_label = audit_labels.object_label(entry.object_type)
        entry.channel_phrase = phrase(entry.channel)
    return render(request, "core/audit_list.html", {"form": form, "page": page, "query": query,
                                                     "channels": CHANNELS})
