from django.contrib import admin

from linli.core.admin_base import ScopedAdmin
from linli.places.models import AdminUnit, Building, Compound, Dwelling, Entrance, Grid, MicroGrid


@admin.register(AdminUnit)
class AdminUnitAdmin(ScopedAdmin):
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")
    list_select_related = ("parent",)


@admin.register(Grid)
class GridAdmin(ScopedAdmin):
    list_display = ("name", "code", "community")
    search_fields = ("name", "code")
    list_select_related = ("community",)


@admin.register(MicroGrid)
class MicroGridAdmin(ScopedAdmin):
    list_display = ("name", "grid")
    search_fields = ("name",)
    list_select_related = ("grid",)


@admin.register(Compound)
class CompoundAdmin(ScopedAdmin):
    list_display = ("name", "community", "kind", "build_year", "responsible_department", "walled")
    list_filter = ("kind", "walled", "has_property_room")
    search_fields = ("name", "address")
    list_select_related = ("community",)


@admin.register(Building)
class BuildingAdmin(ScopedAdmin):
    list_display = ("__str__", "compound", "grid", "floors")
    search_fields = ("number", "compound__name")
    raw_id_fields = ("compound",)
    list_select_related = ("compound", "grid")


@admin.register(Entrance)
class EntranceAdmin(ScopedAdmin):
    list_display = ("__str__", "building")
    search_fields = ("number", "building__compound__name")
    raw_id_fields = ("building",)
    list_select_related = ("building__compound",)


@admin.register(Dwelling)
class DwellingAdmin(ScopedAdmin):
    list_display = ("__str__", "floor", "registered_area", "developer_unsold")
    list_filter = ("developer_unsold",)
    search_fields = ("number", "entrance__building__compound__name")
    raw_id_fields = ("entrance",)
    list_select_related = ("entrance__building__compound",)
