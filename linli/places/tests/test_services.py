import pytest
from django.core.exceptions import ValidationError

from linli.core.errors import Forbidden, NotFound
from linli.core.models import AuditEntry
from linli.places import services
from linli.places.models import AdminUnit, Building, Compound


def test_compound_create_is_audited(world):
    # given
    actor = world.user("community_secretary")
    # when
    compound = services.compound_create(actor=actor, data={
        "community": world.community1.pk, "name": "锦绣苑", "kind": "planned", "build_year": 1998})
    # then
    entry = AuditEntry.objects.get(object_type="places.compound", object_id=str(compound.pk))
    assert entry.action == "create" and entry.actor == actor
    assert entry.changes["name"] == [None, "锦绣苑"]
    assert compound.is_old


def test_compound_update_records_only_what_changed(world):
    # given
    actor = world.user("grid_worker")
    # when: the grid worker cannot see the community but leaves it as it is
    services.compound_update(actor=actor, compound=world.compound1,
                             data={"community": world.community1.pk, "address": "坞城路 1 号"})
    # then
    entry = AuditEntry.objects.get(object_type="places.compound", action="update")
    assert entry.changes == {"address": ["", "坞城路 1 号"]}


def test_compound_update_cannot_move_a_compound_out_of_sight(world, counts):
    # given
    before = counts()
    # when
    with pytest.raises(ValidationError) as caught:
        services.compound_update(actor=world.user("community_secretary"), compound=world.compound1,
                                 data={"community": world.community3.pk})
    # then
    assert caught.value.message_dict == {"community": ["所选所属社区不存在或不在您的辖区内。"]}
    assert counts() == before


def test_a_reference_out_of_sight_is_a_field_error_not_a_write(world, counts):
    # given
    before = counts()
    # when
    with pytest.raises(ValidationError) as caught:
        services.building_create(actor=world.user("outsider"), data={
            "compound": world.compound1.pk, "number": "9号楼", "grid": world.grid1.pk})
    # then
    assert set(caught.value.message_dict) == {"compound", "grid"}
    assert "辖区" in caught.value.message_dict["grid"][0]
    assert counts() == before


def test_model_clean_errors_come_back_per_field(world, counts):
    # given a grid from another community than the compound's
    before = counts()
    # when
    with pytest.raises(ValidationError) as caught:
        services.building_create(actor=world.user("street_officer"), data={
            "compound": world.compound1.pk, "number": "9号楼", "grid": world.grid3.pk})
    # then
    assert caught.value.message_dict == {"grid": ["楼栋所属网格必须在小区所在的社区内。"]}
    assert counts() == before


def test_duplicate_building_number_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        services.building_create(actor=world.user("admin"), data={
            "compound": world.compound1.pk, "number": "1号楼", "grid": world.grid1.pk})
    assert Building.objects.filter(compound=world.compound1).count() == 1
    assert caught.value.message_dict["__all__"] == ["包含 所属小区 和 楼栋号 的 楼栋 已经存在。"]


@pytest.mark.parametrize("persona", ["resident", "property_staff"])
def test_read_only_roles_cannot_create(world, counts, persona):
    before = counts()
    with pytest.raises(Forbidden):
        services.compound_create(actor=world.user(persona), data={
            "community": world.community1.pk, "name": "锦绣苑", "kind": "planned"})
    assert counts() == before


def test_update_out_of_sight_is_not_found(world, counts):
    before = counts()
    with pytest.raises(NotFound):
        services.compound_update(actor=world.user("outsider"), compound=world.compound1, data={"name": "x"})
    assert counts() == before


def test_unit_codes_are_validated(world, counts):
    # given
    before = counts()
    # when: a 12-digit code outside the street's prefix, and one with a bad province
    with pytest.raises(ValidationError) as outside:
        services.unit_create(actor=world.user("district_officer"), data={
            "level": "community", "parent": world.street1.pk, "code": "140105002009", "name": "新社区"})
    with pytest.raises(ValidationError) as province:
        services.unit_create(actor=world.user("admin"), data={
            "level": "community", "parent": world.street1.pk, "code": "990105001009", "name": "新社区"})
    # then
    assert outside.value.message_dict["code"] == ["区划代码必须以上级区划代码开头。"]
    assert "省级代码" in province.value.message_dict["code"][0]
    assert counts() == before


def test_only_admins_create_districts(world, counts):
    before = counts()
    with pytest.raises(Forbidden):
        services.unit_create(actor=world.user("district_officer"), data={
            "level": "district", "code": "140106000000", "name": "迎泽区"})
    assert counts() == before
    district = services.unit_create(actor=world.user("admin"), data={
        "level": "district", "code": "140106000000", "name": "迎泽区"})
    assert district.level == AdminUnit.Level.DISTRICT


def test_a_unit_with_children_keeps_its_code(world, counts):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.unit_update(actor=world.user("district_officer"), unit=world.street1, data={"code": "140105009000"})
    assert "不能修改区划代码" in caught.value.message_dict["code"][0]
    assert counts() == before


def test_street_officers_cannot_change_units(world, counts):
    before = counts()
    with pytest.raises(Forbidden):
        services.unit_update(actor=world.user("street_officer"), unit=world.community1, data={"name": "x"})
    assert counts() == before


def test_unknown_fields_are_ignored(world):
    compound = services.compound_update(actor=world.user("admin"), compound=world.compound1,
                                        data={"id": 999, "name": "康宁小区"})
    assert compound.pk == world.compound1.pk
    assert Compound.objects.filter(pk=999).count() == 0
