"""Council pages: thin over selectors (lists), access (details) and services (writes).

A refusal by the rules (`Refused`) or a validation error comes back as a Chinese message on the page
and writes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from linli.accounts.scope import can_edit
from linli.cases.models import Case
from linli.core.access import get_visible, require
from linli.core.errors import Refused
from linli.core.pages import act, page_errors, paginate, refusal_text
from linli.core.scoping import scope_for
from linli.council import access, forms, ical, pdf, selectors, services
from linli.council.electorate import ELECTORATE_NAMES
from linli.council.models import Evaluation, Proposal, Vote


def _form_errors(form) -> str:
    return "；".join(e for errs in form.errors.values() for e in errs)


def _is_staff(user) -> bool:
    return scope_for(user).is_staff_scope


# --- home and proposals ---------------------------------------------------------------------------

@login_required
@page_errors
def home(request):
    actor = request.user
    filters = {"status": request.GET.get("status", ""), "q": request.GET.get("q", "")}
    page, query = paginate(request, selectors.proposal_list_visible_to(actor=actor, filters=filters))
    return render(request, "council/home.html", {
        "page": page, "query": query, "statuses": Proposal.Status.choices,
        "ballots": selectors.ballot_list_visible_to(actor=actor, filters={"status": "open"})[:10],
        "notices": selectors.notice_list_visible_to(actor=actor, filters={"current": True})[:10],
        "meetings": selectors.meeting_list_visible_to(actor=actor, filters={"upcoming": True})[:5],
        "may_propose": bool(scope_for(actor).resident_ids) or can_edit(actor),
        "is_staff": _is_staff(actor) and can_edit(actor),
    })


@login_required
@page_errors
def proposal_new(request):
    actor = request.user
    require(bool(scope_for(actor).resident_ids) or can_edit(actor), "只有本小区居民或工作人员可以提出议题。")
    form = forms.ProposalForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.proposal_submit(
                actor=actor, compound=data["compound"], title=data["title"], body=data["body"],
                template=data.get("template"), source=data.get("source") or "resident",
                organisation=data.get("organisation", ""), urgent=data["urgent"])
        except ValidationError as exc:
            form.add_error(None, refusal_text(exc))
        else:
            messages.success(request, f"议题已提交（{proposal.ref}），进入“{proposal.step.name}”。")
            return redirect("council:proposal_detail", proposal.pk)
    return render(request, "council/form.html", {"form": form, "title": "提出议题"})


@login_required
@page_errors
def proposal_detail(request, pk):
    actor = request.user
    proposal = access.proposal_get(actor, pk)
    moderator = services.may_moderate(actor, proposal)
    steps = list(proposal.template.steps.all())
    # A matter the whole compound cares about gathers hundreds of comments: they come a page at a time.
    comments, comments_query = paginate(
        request, selectors.comment_list_visible_to(actor=actor, proposal=proposal, moderator=moderator),
        param="comments_page")
    return render(request, "council/proposal_detail.html", {
        "proposal": proposal, "steps": steps, "events": proposal.events.select_related("actor"),
        "comments": comments, "comments_query": comments_query,
        "moderator": moderator, "may_move": services.may_move(actor, proposal),
        "may_comment": proposal.status == "active" and proposal.step.comments_open and (
            moderator or proposal.compound_id in scope_for(actor).home_compound_ids),
        "ballots": selectors.ballot_list_visible_to(actor=actor, filters={"proposal": proposal.pk}),
        "notices": proposal.notices.all(), "decisions": proposal.decisions.select_related("meeting"),
    })


@login_required
@page_errors
@require_POST
def proposal_advance(request, pk):
    proposal = access.proposal_get(request.user, pk, write=True)
    act(request, lambda: services.proposal_advance(actor=request.user, proposal=proposal,
                                                    note=request.POST.get("note", "")), "已推进到下一步。")
    return redirect("council:proposal_detail", pk)


@login_required
@page_errors
@require_POST
def proposal_reject(request, pk):
    proposal = access.proposal_get(request.user, pk, write=True)
    act(request, lambda: services.proposal_reject(actor=request.user, proposal=proposal,
                                                   reason=request.POST.get("reason", "")), "已退回，不予立项。")
    return redirect("council:proposal_detail", pk)


@login_required
@page_errors
@require_POST
def comment_add(request, pk):
    proposal = access.proposal_get(request.user, pk)
    act(request, lambda: services.comment_add(actor=request.user, proposal=proposal,
                                               body=request.POST.get("body", "")), "意见已发表。")
    return redirect("council:proposal_detail", pk)


@login_required
@page_errors
@require_POST
def comment_moderate(request, pk):
    comment = access.comment_get(request.user, pk, write=True)
    hide = request.POST.get("action") != "show"
    act(request, lambda: services.comment_moderate(actor=request.user, comment=comment, hide=hide,
                                                    reason=request.POST.get("reason", "")),
         "意见已屏蔽。" if hide else "意见已恢复显示。")
    return redirect("council:proposal_detail", comment.proposal_id)


@login_required
@page_errors
@require_POST
def case_escalate(request, case_pk):
    require(can_edit(request.user), services.NOT_EDITOR)
    case = get_visible(Case.objects.select_related("category", "compound"), scope_for(request.user), case_pk)
    proposal = act(request, lambda: services.proposal_from_case(actor=request.user, case=case),
                    "诉求已作为大事转入议事。")
    if isinstance(proposal, Proposal):
        return redirect("council:proposal_detail", proposal.pk)
    return redirect("cases:case_detail", case.pk)


# --- ballots --------------------------------------------------------------------------------------

@login_required
@page_errors
def ballot_new(request):
    actor = request.user
    require(can_edit(actor) and _is_staff(actor), services.NOT_EDITOR)
    proposal = None
    if request.GET.get("proposal") or request.POST.get("proposal"):
        proposal = access.proposal_get(actor, request.GET.get("proposal") or request.POST.get("proposal"))
    initial = {"compound": proposal.compound_id, "title": proposal.title} if proposal else {}
    form = forms.BallotForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ballot = services.ballot_open(
                actor=actor, compound=data["compound"], title=data["title"], question=data["question"],
                rule=data["rule"], matter=data["matter"], closes_at=data["closes_at"], proposal=proposal,
                entrance=data["entrance"], party_org=data["party_org"],
                threshold_percent=data["threshold_percent"] or 80, cost_total=data["cost_total"])
        except (Refused, ValidationError) as exc:
            form.add_error(None, refusal_text(exc))
        else:
            messages.success(request, f"表决已发起，表决人 {ballot.voters.count()} 个。")
            return redirect("council:ballot_detail", ballot.pk)
    return render(request, "council/form.html", {"form": form, "title": "发起表决",
                                                 "hidden": {"proposal": proposal.pk if proposal else ""}})


@login_required
@page_errors
def ballot_detail(request, pk):
    actor = request.user
    ballot = access.ballot_get(actor, pk)
    scope = scope_for(actor)
    staff = can_edit(actor) and scope.is_staff_scope
    mine = ballot.voters.filter(residents__in=scope.resident_ids).first() if scope.resident_ids else None
    my_vote = ballot.votes.filter(voter=mine).first() if mine else None
    show_tally = staff or not ballot.is_open
    return render(request, "council/ballot_detail.html", {
        "ballot": ballot, "staff": staff, "voter": mine, "my_vote": my_vote,
        "vote_form": forms.VoteForm(initial={"choice": my_vote.choice if my_vote else None}),
        "tally": services.ballot_tally(ballot) if show_tally else None,
        "electorate_name": ELECTORATE_NAMES[ballot.rule],
        "voters": ballot.voters.prefetch_related("votes") if staff else None,
        "channels": Vote.Channel.choices, "notices": ballot.notices.all(),
        "shares": ballot.cost_shares.select_related("dwelling"), "voted": ballot.votes.count(),
        "electorate": ballot.voters.count(),
    })


@login_required
@page_errors
@require_POST
def ballot_vote(request, pk):
    ballot = access.ballot_get(request.user, pk)
    act(request, lambda: services.vote_cast(actor=request.user, ballot=ballot,
                                             choice=request.POST.get("choice", "")), "投票已记录，截止前可以修改。")
    return redirect("council:ballot_detail", pk)


@login_required
@page_errors
@require_POST
def ballot_paper(request, pk):
    ballot = access.ballot_get(request.user, pk, write=True)
    voter = access.voter_get(request.user, ballot, request.POST.get("voter"))
    act(request, lambda: services.vote_cast(
        actor=request.user, ballot=ballot, voter=voter, choice=request.POST.get("choice", ""),
        channel=request.POST.get("channel", "paper"), proxy_name=request.POST.get("proxy_name", ""),
        attachment=request.FILES.get("attachment")), "选票已录入。")
    return redirect("council:ballot_detail", pk)


@login_required
@page_errors
@require_POST
def ballot_close(request, pk):
    ballot = access.ballot_get(request.user, pk, write=True)
    act(request, lambda: services.ballot_close(actor=request.user, ballot=ballot), "表决已结束，结果已固定。")
    return redirect("council:ballot_detail", pk)


@login_required
@page_errors
@require_POST
def ballot_publish(request, pk):
    ballot = access.ballot_get(request.user, pk, write=True)
    form = forms.NoticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("council:ballot_detail", pk)
    data = form.cleaned_data
    notice = act(request, lambda: services.notice_publish(
        actor=request.user, ballot=ballot, title=data["title"], starts_on=data["starts_on"],
        ends_on=data["ends_on"]), "公示已发布。")
    if notice and notice is not True:
        return redirect("council:notice_detail", notice.pk)
    return redirect("council:ballot_detail", pk)


# --- notices --------------------------------------------------------------------------------------

@login_required
@page_errors
def notice_detail(request, pk):
    actor = request.user
    notice = access.notice_get(actor, pk)
    scope = scope_for(actor)
    mine = None
    if scope.resident_ids:
        mine = notice.evaluations.filter(resident_id=scope.resident_ids[0]).first()
    return render(request, "council/notice_detail.html", {
        "notice": notice, "result": notice.ballot.result if notice.ballot_id else None,
        "satisfaction": services.satisfaction(notice), "mine": mine,
        "may_evaluate": bool(notice.executed_on) and notice.compound_id in scope.home_compound_ids,
        "evaluation_form": forms.EvaluationForm(initial={"score": mine.score if mine else None}),
        "staff": can_edit(actor) and scope.is_staff_scope, "scores": Evaluation.Score.choices,
    })


@login_required
@page_errors
def notice_pdf(request, pk):
    notice = access.notice_get(request.user, pk)
    url = request.build_absolute_uri(reverse("council:notice_detail", args=[notice.pk]))
    body = pdf.notice_pdf(notice, url=url, result=notice.ballot.result if notice.ballot_id else None,
                          satisfaction=services.satisfaction(notice))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return response


@login_required
@page_errors
@require_POST
def notice_evaluate(request, pk):
    notice = access.notice_get(request.user, pk)
    form = forms.EvaluationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        act(request, lambda: services.evaluation_submit(actor=request.user, notice=notice,
                                                         score=form.cleaned_data["score"],
                                                         note=form.cleaned_data["note"]), "感谢您的评价。")
    return redirect("council:notice_detail", pk)


@login_required
@page_errors
@require_POST
def notice_executed(request, pk):
    notice = access.notice_get(request.user, pk, write=True)
    act(request, lambda: services.notice_executed(actor=request.user, notice=notice), "已标记实施完成，居民可以评价。")
    return redirect("council:notice_detail", pk)


# --- meetings -------------------------------------------------------------------------------------

@login_required
@page_errors
def meetings(request):
    actor = request.user
    page, query = paginate(request, selectors.meeting_list_visible_to(actor=actor))
    return render(request, "council/meetings.html", {
        "page": page, "query": query, "series": selectors.series_list_visible_to(actor=actor),
        "is_staff": can_edit(actor) and _is_staff(actor)})


@login_required
@page_errors
def series_new(request):
    actor = request.user
    require(can_edit(actor) and _is_staff(actor), services.NOT_EDITOR)
    form = forms.SeriesForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            services.series_create(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, refusal_text(exc))
        else:
            messages.success(request, "例会已建立。")
            return redirect("council:meetings")
    return render(request, "council/form.html", {"form": form, "title": "新建例会"})


@login_required
@page_errors
def series_ics(request, pk):
    series = access.series_get(request.user, pk)
    response = HttpResponse(ical.series_ics(series, host=request.get_host()), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="council-series-{series.pk}.ics"'
    return response


@login_required
@page_errors
def meeting_new(request):
    actor = request.user
    require(can_edit(actor) and _is_staff(actor), services.NOT_EDITOR)
    series = access.series_get(actor, request.GET["series"]) if request.GET.get("series") else None
    form = forms.MeetingForm(request.POST or None, actor=actor,
                             initial={"name": series.name, "first_at": series.first_at} if series else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(actor=actor, title=data["name"], starts_at=data["first_at"],
                                              series=series, community=data["community"],
                                              compound=data["compound"], location=data["location"])
        except ValidationError as exc:
            form.add_error(None, refusal_text(exc))
        else:
            messages.success(request, "会议已安排。")
            return redirect("council:meeting_detail", meeting.pk)
    return render(request, "council/form.html", {"form": form, "title": "安排会议"})


@login_required
@page_errors
def meeting_detail(request, pk):
    actor = request.user
    meeting = access.meeting_get(actor, pk)
    staff = can_edit(actor) and _is_staff(actor)
    proposals = selectors.proposal_list_visible_to(actor=actor, filters={"status": "active"}).filter(
        compound__community_id=meeting.community_id) if staff else []
    return render(request, "council/meeting_detail.html", {
        "meeting": meeting, "staff": staff, "proposals": proposals,
        "agenda": meeting.agenda.select_related("proposal"), "attendance": meeting.attendance.all(),
        "decisions": meeting.decisions.prefetch_related("milestones"),
    })


@login_required
@page_errors
@require_POST
def meeting_update(request, pk, part):
    actor = request.user
    meeting = access.meeting_get(actor, pk, write=True)
    post = request.POST
    proposal = access.proposal_get(actor, post["proposal"]) if post.get("proposal") else None
    work = {
        "agenda": lambda: services.agenda_add(actor=actor, meeting=meeting, proposal=proposal,
                                              topic=post.get("topic", "")),
        "attendance": lambda: services.attendance_add(actor=actor, meeting=meeting, name=post.get("name", ""),
                                                      capacity=post.get("capacity", ""),
                                                      present=post.get("present", "1") == "1"),
        "minutes": lambda: services.minutes_save(actor=actor, meeting=meeting, minutes=post.get("minutes", "")),
        "decision": lambda: services.decision_add(actor=actor, meeting=meeting, proposal=proposal,
                                                  text=post.get("text", ""), owner=post.get("owner", ""),
                                                  due_on=post.get("due_on") or None),
    }.get(part)
    if work is None:
        messages.error(request, "未知的操作。")
    else:
        act(request, work, "已保存。")
    return redirect("council:meeting_detail", pk)


@login_required
@page_errors
@require_POST
def decision_progress(request, pk):
    decision = access.decision_get(request.user, pk, write=True)
    try:
        percent = int(request.POST.get("percent", ""))
    except ValueError:
        messages.error(request, "请填写进度百分比。")
    else:
        act(request, lambda: services.decision_progress(actor=request.user, decision=decision, percent=percent,
                                                         note=request.POST.get("note", "")), "进度已记录。")
    return redirect("council:meeting_detail", decision.meeting_id)


