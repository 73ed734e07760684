"""The award page names the resident through the searched picker: it lists nobody, and takes only
residents of the actor's work area."""

from linli.people.tests.factories import HouseholdFactory, ResidentFactory

AWARD = "/points/staff/award/"


def test_award_page_does_not_grow_with_the_residents(world, shop, client_for):
    # given
    client = client_for("grid_worker")
    before = client.get(AWARD).content.decode()
    # when 60 more residents are registered in the grid worker's grid
    dwelling = world.resident.household.dwelling
    for _ in range(60):
        ResidentFactory(household=HouseholdFactory(dwelling=dwelling), name="新居民")
    after = client.get(AWARD).content.decode()
    # then not one option more, and none of them named
    assert after.count("<option") == before.count("<option")
    assert "新居民" not in after and "张秀英" not in after
    assert abs(len(after) - len(before)) < 100  # only the form's request key differs


def test_award_page_offers_the_resident_asked_for_as_a_chip(world, shop, client_for):
    # when the page is opened from a resident's statement (?resident=)
    page = client_for("grid_worker").get(AWARD, {"resident": world.neighbour.pk}).content.decode()
    # then
    assert f'name="resident" value="{world.neighbour.pk}" checked' in page
    assert "李建国" in page


def test_award_page_refuses_a_forged_resident_and_books_nothing(world, shop, client_for, counts):
    # given
    before = counts()
    # when the id of a resident in another street is posted by hand
    response = client_for("grid_worker").post(AWARD, {
        "resident": world.far_resident.pk, "rule": shop.volunteer.pk, "quantity": "2", "source_type": "volunteer",
        "key": "forged"})
    # then
    assert response.status_code == 200
    assert "所选居民不存在或不在您的工作范围内" in response.content.decode()
    assert counts() == before


def test_award_page_does_not_offer_ones_own_household(world, shop, client_for, counts):
    # given the resident's own account is a resident one; a staff member's home is not theirs to award
    before = counts()
    # when the resident persona's own id is posted by someone whose work area does not hold it
    response = client_for("outsider").post(AWARD, {
        "resident": world.resident.pk, "rule": shop.volunteer.pk, "quantity": "1", "source_type": "volunteer",
        "key": "elsewhere"})
    # then
    assert "所选居民不存在或不在您的工作范围内" in response.content.decode()
    assert counts() == before
