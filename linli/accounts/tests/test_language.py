import pytest

pytestmark = pytest.mark.django_db


def test_pages_are_chinese_by_default(world, client):
    body = client.get("/login/").content.decode()
    assert "登录邻里" in body and 'lang="zh-CN"' in body


def test_english_can_be_chosen_and_sticks(world, client_for):
    # given a logged-in street officer
    client = client_for("street_officer")
    # when they switch to English
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    # then the chrome and navigation are in English from then on
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert 'lang="en"' in body
    assert "Log out" in body and "Home" in body and "Indicators" in body
    assert "退出" not in body
