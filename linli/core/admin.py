from django.contrib import admin

from linli.core.admin_base import ReadOnlyAdmin
from linli.core.models import AuditEntry


def _whole_area(request) -> bool:
    from linli.core.scoping import scope_for

    return request.user.is_active and request.user.is_staff and scope_for(request.user).everything


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_repr", "action", "object_type", "object_repr", "channel")
    list_filter = ("channel", "action", "object_type")
    search_fields = ("actor_repr", "object_repr", "object_id")
    date_hierarchy = "at"
    fields = ("at", "actor_repr", "action", "object_type", "object_id", "object_repr", "channel", "changes")
    readonly_fields = fields

    def has_module_permission(self, request):
        return _whole_area(request)

    def has_view_permission(self, request, obj=None):
        return _whole_area(request)
