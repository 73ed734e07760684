"""Every property page and API operation across personas: the status, and nothing written when refused."""

import datetime as dt
import io

import pytest

from linli.property import services
from linli.property.models import Entry, Statement
from linli.property.tests.conftest import PDF
from linli.testing import PERSONAS

STAFF = ["grid_worker", "community_secretary", "branch_secretary", "property_staff", "street_officer",
         "district_officer", "outsider", "admin"]
# Staff whose jurisdiction covers compound1 (the trust compound); all of them may book.
IN_SIGHT = ["grid_worker", "community_secretary", "branch_secretary", "street_officer", "district_officer", "admin"]
REVIEWERS = ["street_officer", "district_officer", "admin"]


def _for(personas, status, rest, **extra):
    table = {p: (status if p in personas else rest) for p in PERSONAS}
    table.update(extra)
    return table


STAFF_PAGE = _for(STAFF, 200, 302, anonymous=302)
ACCOUNT_READ = _for(IN_SIGHT + ["resident"], 200, 404, anonymous=302)
ACCOUNT_API_READ = _for(IN_SIGHT + ["resident"], 200, 404, anonymous=401)
STAFF_API = _for(STAFF, 200, 403, anonymous=401)


@pytest.fixture
def state(april, trust, world):
    # March is published (closing January to March); April stays open so closing it can be tried.
    services.statement_publish(dt.date(2026, 3, 1))
    scheme = services.scheme_create(actor=world.user("district_officer"), name="星级评定", year=2026,
                                    unit=world.district, criteria=[("环境", 1, 100)])
    resource = services.resource_create(actor=trust.booker, compound=world.compound1, kind="idle_room",
                                        name="1号楼架空层")
    return {"account": april, "entry": Entry.objects.get(account=april, seq=1),
            "expense": Entry.objects.get(account=april, seq=3),
            "statement": Statement.objects.get(account=april), "scheme": scheme, "resource": resource,
            "compound1": world.compound1, "street1": world.street1}


GETS = [
    ("/property/", _for(STAFF, 200, 302, anonymous=302)),
    ("/property/my/", _for(["resident"], 200, 302, anonymous=302)),
    ("/property/coverage/", _for(STAFF, 200, 403, anonymous=302)),
    ("/property/coverage/?format=xlsx&baseline=2025-01-01", _for(STAFF, 200, 403, anonymous=302)),
    ("/property/areas/", _for(STAFF, 200, 403, anonymous=302)),
    ("/property/accounts/", _for(STAFF, 200, 403, anonymous=302)),
    ("/property/resources/", _for(STAFF, 200, 403, anonymous=302)),
    ("/property/ratings/", _for(STAFF, 200, 403, anonymous=302)),
    ("/property/funding/", _for(STAFF, 200, 403, anonymous=302)),
    ("/property/accounts/{account}/", ACCOUNT_READ),
    ("/property/accounts/{account}/statement.xlsx?month=2026-04", ACCOUNT_READ),
    ("/property/entries/{expense}/invoice/", ACCOUNT_READ),
    ("/property/statements/{statement}/", ACCOUNT_READ),
    ("/property/statements/{statement}.xlsx", ACCOUNT_READ),
    ("/api/v1/property/coverage", STAFF_API),
    ("/api/v1/property/accounts/{account}", ACCOUNT_API_READ),
    ("/api/v1/property/accounts/{account}/entries", ACCOUNT_API_READ),
    ("/api/v1/property/accounts/{account}/reconcile", ACCOUNT_API_READ),
    ("/api/v1/property/statements/{statement}", ACCOUNT_API_READ),
    ("/api/v1/property/accounts", _for(PERSONAS, 200, 200, anonymous=401)),
    ("/api/v1/property/statements", _for(PERSONAS, 200, 200, anonymous=401)),
    ("/api/v1/property/resources", _for(PERSONAS, 200, 200, anonymous=401)),
    ("/api/v1/property/schemes", _for(PERSONAS, 200, 200, anonymous=401)),
    ("/api/v1/property/ratings", STAFF_API),
    ("/api/v1/property/funding", STAFF_API),
]


def _url(url, state):
    return url.format(**{k: getattr(v, "pk", v) for k, v in state.items()})


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "statuses"), GETS, ids=[g[0] for g in GETS])
def test_reads(state, client_for, counts, persona, url, statuses):
    # given
    client = client_for(persona)
    before = counts()
    # when
    response = client.get(_url(url, state))
    # then
    assert response.status_code == statuses[persona], response.content[:300]
    assert counts() == before


def test_lists_show_only_what_is_in_sight(state, client_for):
    # the owner and in-sight staff see the account; the property staff of compound2 and the outsider do not
    for persona, seen in (("resident", 1), ("community_secretary", 1), ("property_staff", 0), ("outsider", 0)):
        assert len(client_for(persona).get("/api/v1/property/accounts").json()["items"]) == seen, persona
        assert len(client_for(persona).get("/api/v1/property/statements").json()["items"]) == seen, persona


def test_a_resident_who_is_not_an_owner_sees_no_line(state, world, client_for):
    # given the owner becomes a mere occupant
    world.resident.is_owner = False
    world.resident.save()
    client = client_for("resident")
    # then
    assert client.get(f"/property/accounts/{state['account'].pk}/").status_code == 404
    assert client.get(f"/property/statements/{state['statement'].pk}/").status_code == 404


BOOKERS_WRITE = _for(IN_SIGHT, 302, 404, anonymous=302, resident=403)
BOOKERS_API = {"statuses": None}


def _pdf():
    f = io.BytesIO(PDF)
    f.name = "invoice.pdf"
    return f


WRITES = [
    # (name, kind, path, payload, statuses, writers)
    ("page entry", "page", "/property/accounts/{account}/entries/",
     lambda: {"kind": "repair", "amount": "50.00", "date": "2026-05-10", "description": "修门", "invoice": _pdf()},
     BOOKERS_WRITE, IN_SIGHT),
    ("page reverse", "page", "/property/entries/{entry}/reverse/", lambda: {"reason": "录错"},
     BOOKERS_WRITE, IN_SIGHT),
    ("page close", "page", "/property/accounts/{account}/close/", lambda: {"month": "2026-04"},
     BOOKERS_WRITE, IN_SIGHT),
    ("page contract", "page", "/property/resources/{resource}/contracts/",
     lambda: {"counterparty": "托管班", "amount": "800.00", "period": "month", "start": "2026-05-01"},
     BOOKERS_WRITE, IN_SIGHT),
    ("page survey", "page", "/property/ratings/{scheme}/survey/", lambda: {"score": "4", "compound": "{compound1}"},
     _for(["resident"], 302, 403, anonymous=302), ["resident"]),
    ("page review", "page", "/property/ratings/{scheme}/review/", None,
     _for(REVIEWERS, 302, 403, anonymous=302, outsider=404, property_staff=404, resident=403),
     ["street_officer", "district_officer", "admin"]),
    ("api entry", "api", "/api/v1/property/accounts/{account}/entries",
     lambda: {"kind": "fee", "amount": "99.00", "date": "2026-05-10", "description": "物业费"},
     _for(IN_SIGHT, 201, 404, anonymous=401, resident=403), IN_SIGHT),
    ("api edit", "patch", "/api/v1/property/entries/{entry}", lambda: {"amount": "1.00"},
     _for(IN_SIGHT, 409, 404, anonymous=401, resident=403), []),
    ("api reverse", "api", "/api/v1/property/entries/{entry}/reverse", lambda: {"reason": "录错"},
     _for(IN_SIGHT, 201, 404, anonymous=401, resident=403), IN_SIGHT),
    ("api close", "api", "/api/v1/property/accounts/{account}/close", lambda: {"month": "2026-04"},
     _for(IN_SIGHT, 200, 404, anonymous=401, resident=403), IN_SIGHT),
    ("api resource", "api", "/api/v1/property/resources",
     lambda: {"compound_id": "{compound1}", "kind": "parking", "name": "西门车位"},
     _for(IN_SIGHT, 201, 404, anonymous=401, resident=404), IN_SIGHT),
    ("api survey", "api", "/api/v1/property/schemes/{scheme}/surveys",
     lambda: {"compound_id": "{compound1}", "score": 5}, _for(["resident"], 201, 403, anonymous=401), ["resident"]),
    ("api budget", "api", "/api/v1/property/budgets",
     lambda: {"unit_id": "{street1}", "year": 2026, "kind": "subsidy", "amount": "5000.00"},
     _for(["street_officer", "district_officer", "admin"], 201, 404, anonymous=401, resident=403,
          grid_worker=404, branch_secretary=404, property_staff=404, community_secretary=404),
     ["street_officer", "district_officer", "admin"]),
]


def _fill(payload, state):
    out = {}
    for key, value in payload.items():
        if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            value = state[value[1:-1]].pk
        out[key] = value
    return out


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kind", "path", "payload", "statuses", "writers"), WRITES,
                         ids=[w[0] for w in WRITES])
def test_writes(state, client_for, counts, persona, name, kind, path, payload, statuses, writers):
    # given
    client = client_for(persona)
    if payload is None:
        criterion = state["scheme"].criteria.get()
        body = {"compound": state["compound1"].pk, f"c{criterion.pk}": "90"}
        from linli.property.models import SurveyResponse

        SurveyResponse.objects.create(scheme=state["scheme"], compound=state["compound1"],
                                      resident=state["entry"].account.compound.buildings.first()
                                      .entrances.first().dwellings.first().households.first().members.first(),
                                      score=4)
    else:
        body = _fill(payload(), state)
    before = counts()
    # when
    url = _url(path, state)
    if kind == "page":
        response = client.post(url, body)
    elif kind == "patch":
        response = client.patch(url, body, content_type="application/json")
    else:
        response = client.post(url, body, content_type="application/json")
    # then
    assert response.status_code == statuses[persona], response.content[:300]
    if persona in writers:
        assert counts() != before
    else:
        assert counts() == before
