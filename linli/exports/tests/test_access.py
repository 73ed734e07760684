"""Who may export what: exactly the list's own sight, registers for staff only, and never a 500."""

import pytest

from linli.exports import specs
from linli.exports.tests.helpers import csv_rows, table, xlsx_rows
from linli.testing import PERSONAS, table_counts

STAFF_SEEING_KANGNING = ("grid_worker", "community_secretary", "street_officer", "district_officer", "admin")


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_residents_export_follows_the_list_for_every_persona(client_for, world, persona):
    before = table_counts()
    page = client_for(persona).get("/exports/residents/?format=csv")
    api = client_for(persona).get("/api/v1/residents/export?format=csv")
    if persona == "anonymous":
        assert page.status_code == 302 and "/login" in page["Location"]
        assert api.status_code == 401
    elif persona in ("resident", "branch_secretary", "property_staff"):
        # Residents never export a register; the others' lists hold no resident of theirs to export, or
        # they are refused like the list itself.
        assert page.status_code in (200, 403) and api.status_code in (200, 403)
        if persona == "resident":
            assert page.status_code == 403 and api.status_code == 403
            assert "工作人员" in page.content.decode() and api.json()["code"] == "forbidden"
    else:
        assert page.status_code == 200 and api.status_code == 200
    assert table_counts() == before, "an export writes nothing (a masked one not even an audit entry)"


@pytest.mark.parametrize("persona,sees,absent", [
    ("grid_worker", {"张秀英", "李建国"}, {"王磊"}),
    ("community_secretary", {"张秀英", "李建国"}, {"王磊"}),
    ("outsider", {"王磊"}, {"张秀英", "李建国"}),
    ("street_officer", {"张秀英", "李建国"}, {"王磊"}),
    ("district_officer", {"张秀英", "李建国", "王磊"}, set()),
])
def test_a_resident_out_of_sight_is_absent_from_the_file(client_for, world, persona, sees, absent):
    for reply, read in ((client_for(persona).get("/exports/residents/?format=xlsx"), xlsx_rows),
                        (client_for(persona).get("/api/v1/residents/export?format=csv"), csv_rows)):
        assert reply.status_code == 200
        names = {row["姓名"] for row in table(read(reply))}
        assert sees <= names and not (absent & names)


def test_the_page_filters_reach_the_file_and_are_written_at_its_top(client_for, world):
    reply = client_for("district_officer").get(f"/exports/residents/?format=csv&compound={world.compound4.pk}&q=王")
    rows = csv_rows(reply)
    assert [row["姓名"] for row in table(rows)] == ["王磊"]
    assert rows[0] == ["居民（导出）"] and rows[1][0].startswith("导出时间：")
    assert rows[2] == [f"筛选条件：小区：{world.compound4.pk}；搜索：王"]
    assert reply["Content-Disposition"].startswith("attachment; filename*=UTF-8''")


def test_the_cases_export_is_for_staff_and_holds_only_cases_in_sight(client_for, world):
    from linli.cases import services
    from linli.cases.models import Channel

    def case(compound, actor):
        return services.case_open(actor=actor, intake=services.Intake(
            category="sanitation", description="楼道堆满杂物，影响通行", compound=compound.pk, channel=Channel.ONLINE))

    near = case(world.compound1, world.user("resident"))
    far = case(world.compound4, world.user("admin"))
    ids = {str(row["编号"]) for row in table(xlsx_rows(client_for("community_secretary").get(
        "/api/v1/cases/export?format=xlsx&status=")))}
    assert str(near.pk) in ids and str(far.pk) not in ids
    assert client_for("resident").get("/api/v1/cases/export").status_code == 403


@pytest.mark.parametrize("persona", ["resident", "grid_worker", "street_officer", "admin"])
def test_every_export_answers_without_a_server_error(client_for, world, persona):
    client = client_for(persona)
    for spec in specs.all_specs():
        for fmt in ("xlsx", "csv"):
            reply = client.get(f"/exports/{spec.key}/?format={fmt}")
            assert reply.status_code in (200, 403), (spec.key, reply.status_code)
            if spec.registry and persona == "resident":
                assert reply.status_code == 403, spec.key
            if spec.api_path:
                api = client.get(f"/api/v1{spec.api_path}/export?format={fmt}")
                assert api.status_code in (200, 403), (spec.key, api.status_code)
                assert api.status_code == reply.status_code, spec.key


def test_every_list_page_offers_the_export_menu_with_its_filters(client_for, world):
    client = client_for("community_secretary")
    page = client.get("/people/residents/?q=张&page=1").content.decode()
    assert 'href="/exports/residents/?q=%E5%BC%A0&amp;format=xlsx"' in page
    assert "/exports/residents/?q=%E5%BC%A0&amp;format=csv" in page
    assert "unmask=1" in page, "an unmasking role is offered the unmasked export"
    for url, key in (("/places/compounds/", "compounds"), ("/places/grids/", "grids"), ("/people/households/", "households"),
                     ("/people/party-members/", "party_members"), ("/people/grid-workers/", "grid_workers"),
                     ("/orgs/party/", "party_orgs"), ("/orgs/self/", "self_orgs"), ("/orgs/partners/", "partners"),
                     ("/orgs/property/", "property_companies"), ("/cases/", "cases"), ("/council/", "proposals"),
                     ("/council/meetings/", "meetings"), ("/points/staff/rules/", "point_rules"),
                     ("/points/staff/approve/", "awards"), ("/points/staff/stock/", "goods"),
                     ("/points/staff/pickups/", "redemptions"), ("/property/accounts/", "trust_accounts"),
                     ("/property/resources/", "resources")):
        reply = client.get(url)
        assert reply.status_code == 200, url
        assert f"/exports/{key}/?" in reply.content.decode(), url
    officer = client_for("street_officer").get("/people/residents/").content.decode()
    assert "/exports/residents/?format=xlsx" in officer and "unmask=1" not in officer


def test_bad_input_is_answered_in_chinese_never_a_500(client_for, world):
    client = client_for("community_secretary")
    before = table_counts()
    api = client.get("/api/v1/residents/export?format=pdf")
    assert api.status_code == 422 and api.json()["code"] == "bad_format" and "xlsx" in api.json()["detail"]
    page = client.get("/exports/residents/?format=xls")
    assert page.status_code == 400 and "导出格式只能是" in page.content.decode()
    assert client.get("/exports/no-such-list/?format=csv").status_code == 404
    odd = client.get("/exports/resources/?format=csv&compound=abc")
    assert odd.status_code in (200, 400)
    assert client.get("/exports/residents/?format=csv&compound=abc&elderly=maybe").status_code == 200
    assert table_counts() == before
