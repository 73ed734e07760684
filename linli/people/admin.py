from django.contrib import admin

from linli.core.admin_base import ScopedAdmin
from linli.people.models import CareTag, GridWorker, Household, PartyMember, Resident


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    list_display = ("__str__", "number", "dwelling")
    search_fields = ("number",)
    raw_id_fields = ("dwelling",)
    list_select_related = ("dwelling__entrance__building__compound",)


@admin.register(CareTag)
class CareTagAdmin(ScopedAdmin):
    list_display = ("name", "code")


@admin.register(Resident)
class ResidentAdmin(ScopedAdmin):
    # Encrypted columns appear masked only; they are searchable by exact value on the resident pages.
    list_display = ("name", "gender", "birth_date", "relation", "status", "masked_phone", "masked_id_number",
                    "is_owner")
    list_filter = ("status", "relation", "is_owner", "care_tags")
    search_fields = ("name",)
    raw_id_fields = ("household", "user")
    readonly_fields = ("gender", "birth_date")
    filter_horizontal = ("care_tags",)
    list_select_related = ("household",)

    @admin.display(description="联系电话")
    def masked_phone(self, obj):
        return obj.phone_masked

    @admin.display(description="身份证号")
    def masked_id_number(self, obj):
        return obj.id_number_masked


@admin.register(PartyMember)
class PartyMemberAdmin(ScopedAdmin):
    list_display = ("__str__", "category", "home_branch", "joined_on", "dual_registered_community", "lost_contact")
    list_filter = ("category", "lost_contact")
    search_fields = ("resident__name",)
    raw_id_fields = ("resident", "cared_households")
    list_select_related = ("resident", "home_branch", "dual_registered_community")


@admin.register(GridWorker)
class GridWorkerAdmin(ScopedAdmin):
    list_display = ("name", "kind", "masked_phone", "started_on")
    list_filter = ("kind",)
    search_fields = ("name",)
    raw_id_fields = ("user",)
    filter_horizontal = ("grids",)

    @admin.display(description="联系电话")
    def masked_phone(self, obj):
        return obj.phone_masked
