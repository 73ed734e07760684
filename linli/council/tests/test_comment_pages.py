"""A proposal's comments come a page at a time; a hidden one stays out of a resident's pages."""

import datetime as dt

from django.urls import reverse

from linli.core import clock
from linli.council import services
from linli.council.models import Comment


def test_proposal_page_pages_its_comments_and_keeps_hidden_ones_from_residents(estate, world, client_for):
    # given 35 comments, a minute apart, the first of them hidden by the secretary
    proposal = services.proposal_submit(actor=world.user("resident"), compound=world.compound1, title="加装电梯",
                                        body="b")
    start = clock.now()
    for n in range(35):
        clock.freeze(start + dt.timedelta(minutes=n))
        services.comment_add(actor=world.user("resident"), proposal=proposal, body=f"第{n:02d}条意见")
    services.comment_moderate(actor=world.user("branch_secretary"), comment=Comment.objects.get(body="第00条意见"),
                              hide=True, reason="广告")
    url = reverse("council:proposal_detail", args=[proposal.pk])
    resident = client_for("resident")
    # when
    first = resident.get(url).content.decode()
    second = resident.get(url, {"comments_page": 2}).content.decode()
    moderator = client_for("branch_secretary").get(url).content.decode()
    # then the resident's 34 shown comments are 30 and 4, in order; the hidden one is on no page of hers
    assert "第01条意见" in first and "第30条意见" in first and "第31条意见" not in first
    assert "第31条意见" in second and "第34条意见" in second and "第01条意见" not in second
    assert "第00条意见" not in first + second
    assert "comments_page=2#comments" in first
    # and the secretary's first page starts with the hidden one
    assert "第00条意见" in moderator and "第30条意见" not in moderator
