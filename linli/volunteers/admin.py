"""The back office sees teams and activities within its jurisdiction like every page; sign-up,
check-in, hours and dual registration change only through their services, so they are read-only here."""

from django.contrib import admin

from linli.core.admin_base import ScopedAdmin
from linli.volunteers.models import Activity, Attendance, DualRegistration, Team


@admin.register(Team)
class TeamAdmin(ScopedAdmin):
    list_display = ("name", "kind", "community", "compound", "active")
    list_filter = ("kind", "active")
    search_fields = ("name",)


@admin.register(Activity)
class ActivityAdmin(ScopedAdmin):
    list_display = ("title", "team", "starts_at", "ends_at", "capacity", "status")
    list_filter = ("status",)
    readonly_fields = ("status", "created_by", "created_at")


class _ReadOnly(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Attendance)
class AttendanceAdmin(_ReadOnly):
    list_display = ("member", "activity", "status", "in_at", "out_at", "hours", "booking")
    list_filter = ("status",)


@admin.register(DualRegistration)
class DualRegistrationAdmin(_ReadOnly):
    list_display = ("member", "community", "employer", "registered_on", "ended_on")
    search_fields = ("employer",)
