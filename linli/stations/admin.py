"""The back office sees stations within its jurisdiction like every page; acceptance and wishes change
only through their services (the inspection and the wish's own steps), so here they are read-only."""

from django.contrib import admin

from linli.core.admin_base import ScopedAdmin, ScopedInline
from linli.stations.models import (
    Errand,
    MicroWish,
    PartnerStaff,
    Project,
    ServiceItem,
    Slot,
    StaffMember,
    Station,
)


class SlotInline(ScopedInline):
    model = Slot
    extra = 0


class StaffInline(ScopedInline):
    model = StaffMember
    extra = 0
    exclude = ("user",)


class ServiceInline(ScopedInline):
    model = ServiceItem
    extra = 0


@admin.register(Station)
class StationAdmin(ScopedAdmin):
    list_display = ("name", "kind", "community", "compound", "grid", "standard", "accepted_on")
    list_filter = ("kind", "standard")
    search_fields = ("name", "address")
    readonly_fields = ("accepted_on", "created_at")
    inlines = [SlotInline, StaffInline, ServiceInline]


@admin.register(MicroWish)
class MicroWishAdmin(ScopedAdmin):
    list_display = ("title", "compound", "status", "posted_at", "claimed_at", "confirmed_at")
    list_filter = ("status",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnly(ScopedAdmin):
    """Written only through their services (logins, timelines, notifications); the back office reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(_ReadOnly):
    list_display = ("title", "community", "compound", "starts_on", "ends_on", "status")
    list_filter = ("status",)


@admin.register(Errand)
class ErrandAdmin(_ReadOnly):
    list_display = ("service", "station", "done_by", "done_at", "outcome")
    list_filter = ("outcome",)
    exclude = ("resident",)


@admin.register(PartnerStaff)
class PartnerStaffAdmin(_ReadOnly):
    list_display = ("name", "partner", "community", "active")
