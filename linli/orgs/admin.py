from django.contrib import admin

from linli.core.admin_base import ScopedAdmin
from linli.orgs.models import PartnerUnit, PartyOrg, Position, PropertyCompany, PropertyService, SelfOrg


@admin.register(PartyOrg)
class PartyOrgAdmin(ScopedAdmin):
    list_display = ("name", "level", "community", "formation", "parent", "founded_on")
    list_filter = ("level", "formation")
    search_fields = ("name",)
    filter_horizontal = ("compounds",)
    list_select_related = ("community", "parent")


@admin.register(SelfOrg)
class SelfOrgAdmin(ScopedAdmin):
    list_display = ("name", "kind", "compound", "term_start", "term_end")
    list_filter = ("kind",)
    search_fields = ("name", "compound__name")
    raw_id_fields = ("compound",)
    list_select_related = ("compound",)


@admin.register(PropertyCompany)
class PropertyCompanyAdmin(ScopedAdmin):
    list_display = ("name", "credit_code", "party_org", "has_party_org")
    list_filter = ("has_party_org",)
    search_fields = ("name", "credit_code")
    list_select_related = ("party_org",)


@admin.register(PropertyService)
class PropertyServiceAdmin(ScopedAdmin):
    list_display = ("compound", "mode", "company", "provider_name", "start", "end")
    list_filter = ("mode",)
    search_fields = ("compound__name", "company__name", "provider_name")
    raw_id_fields = ("compound",)
    list_select_related = ("compound", "company")


@admin.register(PartnerUnit)
class PartnerUnitAdmin(ScopedAdmin):
    list_display = ("name", "kind", "community", "agreement_on")
    list_filter = ("kind",)
    search_fields = ("name", "offer")
    list_select_related = ("community",)


@admin.register(Position)
class PositionAdmin(ScopedAdmin):
    list_display = ("resident", "role", "party_org", "self_org", "property_company", "partner", "start", "end")
    search_fields = ("resident__name", "role")
    raw_id_fields = ("resident",)
    list_select_related = ("resident", "party_org", "self_org", "property_company", "partner")
