from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm

from linli.accounts.models import ApiToken, Assignment, User
from linli.core import audit
from linli.core.admin_base import ScopedAdmin, ScopedInline


class AssignmentInline(ScopedInline):
    model = Assignment
    fields = ("role", "unit", "grid", "compound")
    raw_id_fields = ("grid", "compound")


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    form = UserChangeForm
    inlines = [AssignmentInline]
    list_display = ("username", "display_name", "is_active", "is_staff", "is_superuser", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "assignments__role")
    search_fields = ("username", "display_name", "first_name", "last_name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("display_name", "first_name", "last_name", "email")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "display_name", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_queryset(self, request):
        # Users are not on the place tree: the scoped filter leaves them to the whole-area roles.
        return super().get_queryset(request).distinct()

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            audit.record(actor=request.user, action="password_change", obj=user,
                         changes={"password": [audit.REDACTED, audit.REDACTED]})
        return response


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin):
    list_display = ("user", "role", "unit", "grid", "compound")
    list_filter = ("role",)
    search_fields = ("user__username", "user__display_name")
    raw_id_fields = ("user", "grid", "compound")
    list_select_related = ("user", "unit", "grid", "compound")


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    """Tokens are issued through the API only; here they can be seen and revoked (deleted)."""

    list_display = ("user", "created_at", "expires_at", "last_used_at")
    fields = ("user", "created_at", "expires_at", "last_used_at")
    readonly_fields = fields
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
