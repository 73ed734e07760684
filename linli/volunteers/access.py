"""Detail access: out of sight is 404 (as if absent), in sight but not the actor's to change is 403."""

from linli.core.access import get_visible
from linli.core.scoping import scope_for
from linli.volunteers.models import Activity, Attendance, DualRegistration, Member, Team


def team_get(actor, pk) -> Team:
    return get_visible(Team.objects.select_related("community", "compound"), scope_for(actor), pk)


def member_get(actor, team, pk) -> Member:
    return get_visible(Member.objects.filter(team=team).select_related("team__community", "team__compound"),
                       scope_for(actor), pk)


def activity_get(actor, pk) -> Activity:
    return get_visible(Activity.objects.select_related("team", "community", "compound"), scope_for(actor), pk)


def attendance_get(actor, pk) -> Attendance:
    return get_visible(Attendance.objects.select_related("activity__team", "activity__community",
                                                         "activity__compound", "member__resident", "award"),
                       scope_for(actor), pk)


def registration_get(actor, pk) -> DualRegistration:
    return get_visible(DualRegistration.objects.select_related("member__resident", "community"), scope_for(actor), pk)
