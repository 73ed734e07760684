import pytest
from django.db import transaction

from linli.accounts import services
from linli.accounts.models import ApiToken
from linli.core.models import AuditEntry
from linli.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_token_is_not_kept_when_its_audit_entry_fails(world, monkeypatch, counts):
    # given an audit log that refuses the entry
    def broken(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services.audit, "record", broken)
    before = counts()
    # when
    with pytest.raises(RuntimeError, match="audit log"):
        services.token_issue(username=world.user("street_officer").username, password=PASSWORD)
    # then no token exists without its audit entry
    assert counts() == before
    assert not ApiToken.objects.exists()


def test_issuing_a_token_inside_a_callers_transaction_fails_loudly(world):
    # given a caller that wraps the service in its own transaction
    # when / then
    with pytest.raises(RuntimeError), transaction.atomic():
        services.token_issue(username=world.user("street_officer").username, password=PASSWORD)
    assert not ApiToken.objects.exists()
    assert not AuditEntry.objects.filter(action="token_issue").exists()
