"""Grid work in the admin: to read, scoped like everything else. The records are written by the workers'
own acts (the services), never edited here: a wrong visit or check-in stays in the history."""

from django.contrib import admin

from linli.core.admin_base import ScopedAdmin
from linli.gridwork.models import CheckIn, Finding, GridTask, Patrol, Reminder, Training, Visit


class _ReadOnly(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CheckIn)
class CheckInAdmin(_ReadOnly):
    list_display = ("worker", "grid", "checked_in_at", "checked_out_at", "on_time", "accuracy_m")
    list_filter = ("on_time",)
    list_select_related = ("worker", "grid")


@admin.register(Patrol)
class PatrolAdmin(_ReadOnly):
    list_display = ("worker", "grid", "started_at", "ended_at", "note")
    list_select_related = ("worker", "grid")


@admin.register(Finding)
class FindingAdmin(_ReadOnly):
    list_display = ("__str__", "patrol", "building", "category", "at", "case")
    list_select_related = ("patrol__grid", "building__compound", "case")


@admin.register(Visit)
class VisitAdmin(_ReadOnly):
    list_display = ("worker", "household", "visited_at", "minutes", "purpose")
    list_filter = ("purpose",)
    list_select_related = ("worker", "household__dwelling")


@admin.register(GridTask)
class GridTaskAdmin(_ReadOnly):
    list_display = ("title", "grid", "matter", "department", "due_on", "done_at")
    list_filter = ("matter",)
    list_select_related = ("grid",)


@admin.register(Training)
class TrainingAdmin(_ReadOnly):
    list_display = ("worker", "course", "held_on", "hours", "certificate", "grid")
    list_select_related = ("worker", "grid")


@admin.register(Reminder)
class ReminderAdmin(_ReadOnly):
    list_display = ("kind", "grid", "worker", "household", "day", "notified_at")
    list_filter = ("kind",)
    list_select_related = ("grid", "worker", "household")
