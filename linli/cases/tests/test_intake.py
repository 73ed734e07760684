import pytest
from django.core.exceptions import ValidationError

from linli.cases import photos, services
from linli.cases.models import Case, CasePhoto
from linli.cases.tests.conftest import JPEG, PNG, jpeg, media_files
from linli.core import audit
from linli.core.errors import Forbidden


def _intake(world, **overrides):
    values = {"category": "sanitation", "description": "垃圾桶满了", "compound": world.compound1.pk}
    values.update(overrides)
    return services.Intake(**values)


def test_resident_files_with_photos(world, frozen, media):
    case = services.case_open(actor=world.user("resident"), intake=_intake(world),
                              photo_files=[jpeg(), jpeg("b.png", PNG)])
    assert case.photos.count() == 2
    assert len(media_files(media)) == 2
    assert set(case.photos.values_list("content_type", flat=True)) == {"image/jpeg", "image/png"}
    assert case.contact_name == "张秀英" and case.reporter == world.user("resident")


@pytest.mark.parametrize("field,overrides", [
    ("category", {"category": "no-such-thing"}),
    ("description", {"description": "   "}),
    ("description", {"description": "长" * 4001}),
    ("compound", {"compound": None}),
    ("building", {"building": 999999}),
    ("latitude", {"latitude": "95", "longitude": "112"}),
])
def test_bad_input_names_the_field_and_saves_nothing(world, frozen, counts, field, overrides):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.case_open(actor=world.user("resident"), intake=_intake(world, **overrides))
    assert field in exc.value.message_dict
    assert counts() == before


def test_a_compound_outside_the_residents_home_is_refused(world, frozen, counts):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.case_open(actor=world.user("resident"), intake=_intake(world, compound=world.compound4.pk))
    assert "compound" in exc.value.message_dict and counts() == before


def test_a_neighbours_dwelling_is_refused(world, frozen):
    neighbour_dwelling = world.neighbour.household.dwelling_id
    with pytest.raises(ValidationError) as exc:
        services.case_open(actor=world.user("resident"), intake=_intake(world, dwelling=neighbour_dwelling))
    assert "dwelling" in exc.value.message_dict


@pytest.mark.parametrize("files,message", [
    ([jpeg(f"{n}.jpg") for n in range(7)], "最多上传 6 张"),
    ([jpeg("doc.jpg", b"%PDF-1.4 not an image")], "不是图片"),
    ([jpeg("big.jpg", JPEG[:16] + b"\x00" * (photos.MAX_BYTES + 1 - 16))], "超过 10 MB"),
])
def test_bad_photos_save_no_case_and_no_file(world, frozen, counts, media, files, message):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.case_open(actor=world.user("resident"), intake=_intake(world), photo_files=[jpeg()] + files)
    assert message in " ".join(exc.value.message_dict["photos"])
    assert counts() == before and media_files(media) == []


def test_a_failure_after_files_were_written_removes_them(world, frozen, counts, media, monkeypatch):
    # given the audit log fails after the photos were stored
    real = audit.record

    def broken(**kwargs):
        if kwargs.get("action") == "case.open":
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(audit, "record", broken)
    before = counts()
    # when a case with two photos is filed
    with pytest.raises(RuntimeError):
        services.case_open(actor=world.user("resident"), intake=_intake(world), photo_files=[jpeg(), jpeg()])
    # then neither rows nor files are left behind
    assert counts() == before
    assert media_files(media) == [] and not CasePhoto.objects.exists()


def test_staff_files_a_hotline_case_for_any_compound_in_sight(world, frozen):
    case = services.case_open(actor=world.user("street_officer"), intake=_intake(
        world, compound=world.compound3.pk, channel="hotline", contact_name="刘女士", contact_phone="0351-7654321"))
    assert case.channel == "hotline" and case.reporter is None and case.taken_by == world.user("street_officer")


def test_hotline_needs_a_phone_and_a_visible_compound(world, frozen):
    with pytest.raises(ValidationError) as exc:
        services.case_open(actor=world.user("community_secretary"), intake=_intake(
            world, compound=world.compound4.pk, channel="hotline"))
    assert {"compound", "contact_phone"} <= set(exc.value.message_dict)


@pytest.mark.parametrize("persona", ["property_staff", "outsider", "anonymous"])
def test_who_may_not_file_online_for_compound1(world, frozen, persona, counts):
    from django.contrib.auth.models import AnonymousUser

    actor = world.user(persona) or AnonymousUser()
    before = counts()
    with pytest.raises((Forbidden, ValidationError)):
        services.case_open(actor=actor, intake=_intake(world))
    assert counts() == before and not Case.objects.exists()
