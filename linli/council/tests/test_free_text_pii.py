"""ID numbers and phones typed into proposals and comments: masked at rest, unmasked only audited."""

from django.db import connection

from linli.core.models import AuditEntry
from linli.council import services
from linli.council.models import Comment, Proposal

ID = "440304199001015672"
PHONE = "13612345678"


def test_a_proposal_and_a_comment_keep_no_plain_number_and_unmask_audited(estate, world, client_for):
    # given a resident's proposal with an ID number and a comment with a phone
    proposal = services.proposal_submit(actor=world.user("resident"), compound=world.compound1,
                                        title="加装电梯", body=f"联系人身份证 {ID}")
    comment = services.comment_add(actor=world.user("resident"), proposal=proposal, body=f"同意，电话 {PHONE}")
    # when the rows are read as stored
    with connection.cursor() as cursor:
        cursor.execute("SELECT body, body_original FROM council_proposal WHERE id = %s", [proposal.pk])
        proposal_row = cursor.fetchone()
        cursor.execute("SELECT body, body_original FROM council_comment WHERE id = %s", [comment.pk])
        comment_row = cursor.fetchone()
    # then neither holds the number in plain text, the text column holds it masked
    assert proposal_row[0] == "联系人身份证 440304********5672" and ID not in proposal_row[1]
    assert comment_row[0] == "同意，电话 136****5678" and PHONE not in comment_row[1]
    # when someone who may unmask asks, the typed text comes back, with an audit entry
    response = client_for("grid_worker").post(f"/api/v1/proposals/{proposal.pk}/unmask")
    assert response.status_code == 200, response.content
    assert response.json() == {"id": proposal.pk, "body": f"联系人身份证 {ID}",
                               "comments": [{"id": comment.pk, "body": f"同意，电话 {PHONE}"}]}
    assert AuditEntry.objects.filter(action="unmask", object_id=str(proposal.pk),
                                     actor=world.user("grid_worker")).count() == 1
    # and a resident of the compound sees it masked and may not unmask
    assert client_for("resident").post(f"/api/v1/proposals/{proposal.pk}/unmask").status_code in (403, 404)
    assert client_for("resident").get(f"/api/v1/proposals/{proposal.pk}").json()["body"] == proposal_row[0]
    assert AuditEntry.objects.filter(action="unmask").count() == 1
    assert Proposal.objects.get(pk=proposal.pk).body_original == f"联系人身份证 {ID}"
    assert Comment.objects.get(pk=comment.pk).body == comment_row[0]
