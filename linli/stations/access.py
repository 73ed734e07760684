"""Detail access: out of sight is 404 (as if absent), in sight but not the actor's to change is 403."""

from linli.core.access import get_visible, require
from linli.core.scoping import scope_for
from linli.stations import services
from linli.stations.models import Evidence, MicroWish, Need, Resource, ServiceItem, Slot, StaffMember, Station


def station_get(actor, pk, *, write=False) -> Station:
    station = get_visible(Station.objects.select_related("community", "compound", "grid"), scope_for(actor), pk)
    if write:
        require(services.may_register(actor, station.community), services.NOT_REGISTRAR)
    return station


def _part(model, actor, station, pk):
    return get_visible(model.objects.filter(station=station).select_related("station__community"),
                       scope_for(actor), pk)


def slot_get(actor, station, pk) -> Slot:
    return _part(Slot, actor, station, pk)


def staff_get(actor, station, pk) -> StaffMember:
    return _part(StaffMember, actor, station, pk)


def service_get(actor, station, pk) -> ServiceItem:
    return _part(ServiceItem, actor, station, pk)


def evidence_get(actor, station, pk) -> Evidence:
    return _part(Evidence, actor, station, pk)


def wish_get(actor, pk) -> MicroWish:
    return get_visible(MicroWish.objects.select_related("compound", "community", "resident", "station"),
                       scope_for(actor), pk)


def shows_identity(actor, wish) -> bool:
    """Who the wish is for is shown to the resident, the poster and the area's staff only; Party
    members see the wish without the resident's name."""
    return (wish.resident_id in scope_for(actor).resident_ids or wish.posted_by_id == actor.pk
            or services.is_area_staff(actor, wish))


def need_get(actor, pk) -> Need:
    return get_visible(Need.objects.select_related("compound", "community", "resident", "resource__handler", "station",
                                           "service"),
                       scope_for(actor), pk)


def resource_get(actor, pk) -> Resource:
    return get_visible(Resource.objects.select_related("community", "handler"), scope_for(actor), pk)


def project_get(actor, pk):
    from linli.stations.models import Project

    return get_visible(Project.objects.select_related("community", "compound", "need__resident"), scope_for(actor), pk)
