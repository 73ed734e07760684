from django.contrib import admin

from linli.core.admin_base import ScopedAdmin
from linli.open311.models import Open311Client


@admin.register(Open311Client)
class Open311ClientAdmin(ScopedAdmin):
    """Disable a platform or rebind it here; new keys come from `linli open311-key`, which shows the
    raw key once (the database keeps only its digest, so no page could show it again)."""

    list_display = ("name", "user", "active", "created_at", "last_used_at")
    list_filter = ("active",)
    search_fields = ("name", "user__username")
    fields = ("name", "user", "active", "created_at", "last_used_at")
    readonly_fields = ("created_at", "last_used_at")

    def has_add_permission(self, request):
        return False
