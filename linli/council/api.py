"""/api/v1/ballots, /api/v1/proposals, /api/v1/meetings: the same operations as the pages.

A refusal by the rules (a late vote, not in the electorate, a proxy without its signed form) answers
with its status (400, 403 or 409), a stable `code` and a Chinese `detail`; nothing is written and the tally never
counts it. Votes take JSON, or multipart form data when a scan or a signed proxy form is attached.
"""

import datetime as dt
import json
from decimal import Decimal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import ValidationError

from linli.core.access import get_visible
from linli.core.api import ErrorOut
from linli.core.errors import Refused
from linli.core.ids import Id
from linli.core.pagination import PageIn, page_of, page_schema
from linli.core.scoping import scope_for
from linli.council import access, selectors, services
from linli.orgs.models import PartyOrg
from linli.places.models import Entrance

router = Router(tags=["议事"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# --- schemas --------------------------------------------------------------------------------------

class ConditionOut(Schema):
    name: str
    numerator: int | str
    denominator: int | str
    fraction: str
    percent: str
    comparison: str
    threshold: str
    holds: bool


class TallyOut(Schema):
    ballot_id: int
    status: str
    final: bool
    rule: str
    rule_name: str
    passed: bool
    conditions: list[ConditionOut]
    counts: dict


class CostShareIn(Schema):
    dwelling_id: Id
    amount: Decimal


class BallotIn(Schema):
    compound_id: Id
    title: str
    question: str
    rule: str
    matter: str = "ordinary"
    closes_at: dt.datetime
    proposal_id: Id | None = None
    entrance_id: Id | None = None
    party_org_id: Id | None = None
    threshold_percent: int = Field(80, ge=0, le=100)
    cost_total: Decimal | None = None
    cost_split: list[CostShareIn] = []


class BallotOut(Schema):
    id: int
    compound_id: int
    proposal_id: int | None
    entrance_id: int | None
    party_org_id: int | None
    title: str
    question: str
    rule: str
    matter: str
    threshold_percent: int
    status: str
    opened_at: dt.datetime
    closes_at: dt.datetime
    closed_at: dt.datetime | None
    passed: bool | None
    electorate: int


PagedBallotOut = page_schema(BallotOut)


class VoteIn(Schema):
    choice: str
    voter_id: Id | None = None
    channel: str = "online"
    proxy_name: str = ""


class VoteOut(Schema):
    id: int
    ballot_id: int
    voter_id: int
    choice: str
    channel: str
    changes: int
    changed_at: dt.datetime


class ProposalIn(Schema):
    compound_id: Id
    title: str
    body: str
    template: str = "five_step"
    source: str = "resident"
    organisation: str = ""
    urgent: bool = False
    case_id: Id | None = None


class ProposalOut(Schema):
    id: int
    ref: str
    compound_id: int
    template: str
    step: str
    step_order: int
    status: str
    title: str
    body: str
    source: str
    case_id: int | None
    created_at: dt.datetime


PagedProposalOut = page_schema(ProposalOut)


class ProposalNoteIn(Schema):
    note: str = ""


class CommentIn(Schema):
    body: str


class CommentOut(Schema):
    id: int
    proposal_id: int
    body: str
    step: str
    status: str
    at: dt.datetime


class MeetingOut(Schema):
    id: int
    title: str
    kind: str
    community_id: int
    compound_id: int | None
    series_id: int | None
    starts_at: dt.datetime
    location: str


PagedMeetingOut = page_schema(MeetingOut)


def _ballot_out(ballot):
    data = {f: getattr(ballot, f) for f in BallotOut.model_fields if f != "electorate"}
    data["electorate"] = ballot.voters.count()
    return data


def _proposal_out(p):
    return {"id": p.pk, "ref": p.ref, "compound_id": p.compound_id, "template": p.template.code,
            "step": p.step.name, "step_order": p.step.order, "status": p.status, "title": p.title, "body": p.body,
            "source": p.source, "case_id": p.case_id, "created_at": p.created_at}


# --- ballots --------------------------------------------------------------------------------------

@router.get("/ballots", response=PagedBallotOut)
def ballot_list(request, paging: Query[PageIn], status: str = "", compound_id: Id | None = None):
    qs = selectors.ballot_list_visible_to(actor=request.user, filters={"status": status, "compound": compound_id})
    page = page_of(request, qs, paging)
    return {"count": page["count"], "items": [_ballot_out(b) for b in page["items"]]}


@router.post("/ballots", response={201: BallotOut, **ERRORS})
def ballot_open(request, payload: BallotIn):
    actor = request.user
    scope = scope_for(actor)
    services.require_editor(actor)
    proposal = access.proposal_get(actor, payload.proposal_id) if payload.proposal_id else None
    entrance = (get_visible(Entrance.objects.select_related("building"), scope, payload.entrance_id)
                if payload.entrance_id else None)
    party_org = get_visible(PartyOrg, scope, payload.party_org_id) if payload.party_org_id else None
    ballot = services.ballot_open(
        actor=actor, compound=payload.compound_id, title=payload.title, question=payload.question,
        rule=payload.rule, matter=payload.matter, closes_at=payload.closes_at, proposal=proposal,
        entrance=entrance, party_org=party_org, threshold_percent=payload.threshold_percent,
        cost_total=payload.cost_total, cost_split=[s.dict() for s in payload.cost_split])
    return 201, _ballot_out(ballot)


@router.get("/ballots/{ballot_id}", response={200: BallotOut, **ERRORS})
def ballot_detail(request, ballot_id: int):
    return _ballot_out(access.ballot_get(request.user, ballot_id))


@router.post("/ballots/{ballot_id}/votes", response={201: VoteOut, 200: VoteOut, **ERRORS},
             openapi_extra={"requestBody": {"content": {
                 "application/json": {"schema": VoteIn.model_json_schema()},
                 "multipart/form-data": {"schema": {"type": "object", "properties": {
                     "choice": {"type": "string"}, "voter_id": {"type": "integer"}, "channel": {"type": "string"},
                     "proxy_name": {"type": "string"}, "attachment": {"type": "string", "format": "binary"}}}},
             }}})
def vote_cast(request, ballot_id: int):
    actor = request.user
    ballot = access.ballot_get(actor, ballot_id)
    if request.content_type.startswith("multipart/"):
        raw, attachment = request.POST.dict(), request.FILES.get("attachment")
    else:
        try:
            raw = json.loads(request.body or b"{}")
        except ValueError:
            raise Refused("json_invalid", "请求体不是有效的 JSON。") from None
        attachment = None
    try:
        data = VoteIn(**raw)
    except (ValidationError, TypeError):  # fields that do not fit; TypeError: a body that is no JSON object
        raise Refused("vote_invalid", "请求参数有误：需要 choice（agree/disagree/abstain）。") from None
    voter = access.voter_get(actor, ballot, data.voter_id) if data.voter_id else None
    had = ballot.votes.filter(voter=voter).exists() if voter else False
    vote = services.vote_cast(actor=actor, ballot=ballot, choice=data.choice, voter=voter, channel=data.channel,
                              proxy_name=data.proxy_name, attachment=attachment)
    return (200 if (vote.changes or had) else 201), vote


@router.post("/ballots/{ballot_id}/close", response={200: TallyOut, **ERRORS})
def ballot_close(request, ballot_id: int):
    ballot = access.ballot_get(request.user, ballot_id, write=True)
    ballot = services.ballot_close(actor=request.user, ballot=ballot)
    return _tally_out(ballot)


def _tally_out(ballot):
    result = services.ballot_tally(ballot)
    return {"ballot_id": ballot.pk, "status": ballot.status, "final": ballot.result is not None, **result}


@router.get("/ballots/{ballot_id}/tally", response={200: TallyOut, **ERRORS})
def ballot_tally(request, ballot_id: int):
    ballot = access.ballot_get(request.user, ballot_id)
    scope = scope_for(request.user)
    if ballot.is_open and not scope.is_staff_scope:
        # Residents see the result when it is final, not a running count that could sway the vote.
        raise Refused("tally_not_public", "表决结束后公布结果。", status=403)
    return _tally_out(ballot)


# --- proposals ------------------------------------------------------------------------------------

@router.get("/proposals", response=PagedProposalOut)
def proposal_list(request, paging: Query[PageIn], status: str = "", compound_id: Id | None = None, q: str = ""):
    qs = selectors.proposal_list_visible_to(actor=request.user,
                                            filters={"status": status, "compound": compound_id, "q": q})
    page = page_of(request, qs, paging)
    return {"count": page["count"], "items": [_proposal_out(p) for p in page["items"]]}


@router.post("/proposals", response={201: ProposalOut, **ERRORS})
def proposal_submit(request, payload: ProposalIn):
    from linli.cases.models import Case
    from linli.council.models import ProcessTemplate

    actor = request.user
    template = ProcessTemplate.objects.filter(code=payload.template).first()
    if template is None:
        raise Refused("template_unknown", "未知的议事流程。", field="template")
    if payload.case_id:
        services.require_editor(actor)
        case = get_visible(Case.objects.select_related("category", "compound"), scope_for(actor), payload.case_id)
        proposal = services.proposal_from_case(actor=actor, case=case, template=template, title=payload.title,
                                               body=payload.body)
    else:
        proposal = services.proposal_submit(actor=actor, compound=payload.compound_id, title=payload.title,
                                            body=payload.body, template=template, source=payload.source,
                                            organisation=payload.organisation, urgent=payload.urgent)
    return 201, _proposal_out(proposal)


@router.get("/proposals/{proposal_id}", response={200: ProposalOut, **ERRORS})
def proposal_detail(request, proposal_id: int):
    return _proposal_out(access.proposal_get(request.user, proposal_id))


@router.post("/proposals/{proposal_id}/advance", response={200: ProposalOut, **ERRORS})
def proposal_advance(request, proposal_id: int, payload: ProposalNoteIn):
    proposal = access.proposal_get(request.user, proposal_id, write=True)
    return _proposal_out(services.proposal_advance(actor=request.user, proposal=proposal, note=payload.note))


@router.post("/proposals/{proposal_id}/comments", response={201: CommentOut, **ERRORS})
def comment_add(request, proposal_id: int, payload: CommentIn):
    proposal = access.proposal_get(request.user, proposal_id)
    return 201, services.comment_add(actor=request.user, proposal=proposal, body=payload.body)


class UnmaskedCommentOut(Schema):
    id: int
    body: str


class ProposalUnmaskOut(Schema):
    id: int
    body: str
    comments: list[UnmaskedCommentOut]


@router.post("/proposals/{proposal_id}/unmask", response={200: ProposalUnmaskOut, **ERRORS},
             summary="查看提案与意见中证件号、电话的原文（记入审计日志）")
def proposal_unmask(request, proposal_id: int, response: HttpResponse):
    proposal = access.proposal_get(request.user, proposal_id)
    response["Cache-Control"] = "no-store"
    return 200, services.proposal_unmask(actor=request.user, proposal=proposal)


# --- meetings -------------------------------------------------------------------------------------

@router.get("/meetings", response=PagedMeetingOut)
def meeting_list(request, paging: Query[PageIn], upcoming: bool = False):
    qs = selectors.meeting_list_visible_to(actor=request.user, filters={"upcoming": upcoming})
    return page_of(request, qs, paging)
