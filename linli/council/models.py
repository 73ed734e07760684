"""Council (议事): proposals moving through process templates, meetings, ballots and notices.

Owner identity for owners' ballots (业主共同决定, Civil Code Art. 278 with the SPC interpretation
on building ownership, Arts. 8–9) — see `linli.council.electorate`:
- a dwelling's owners are the residents with `is_owner` in the households living in it, plus the
  residents registered as its owners in `Ownership` (an owner who lives elsewhere: a let flat, a second
  home) — a person is one `Resident` row (the ID number is unique), so matching is by that row;
- dwellings that share an owner form ONE owner
  (one buyer of several dwellings counts once; co-owners of one dwelling count once);
- every unsold developer dwelling belongs to the one developer owner;
- a dwelling with no registered owner is still an owner of its own (staff enter a paper vote for it);
- the owner's area is the sum of `Dwelling.area` (registered, else surveyed, else contract).
The electorate is frozen into `Voter` rows when a ballot opens, so the register cannot drift mid-vote.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from linli.core import clock
from linli.core.fields import EncryptedTextField
from linli.core.pii import RedactedTextField
from linli.core.scoping import Scoping
from linli.places.models import Compound, compound_ids_in_grids


def _in_grids(field: str):
    return lambda ids: Q(**{f"{field}__in": compound_ids_in_grids(ids)})


def _home_communities(scope):
    return Compound.objects.filter(id__in=scope.home_compound_ids).values("community_id")


# --- process templates ----------------------------------------------------------------------------

class ProcessTemplate(models.Model):
    """A way of deliberating: an ordered list of steps (五议工作法, 三议, …). Data, not code."""

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=50)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "议事流程模板"
        verbose_name_plural = "议事流程模板"
        ordering = ["code"]

    def __str__(self):
        return self.name


class ProcessStep(models.Model):
    """One state of a template. `movers`: the roles that may move a proposal on from this step."""

    template = models.ForeignKey(ProcessTemplate, verbose_name="流程模板", on_delete=models.CASCADE,
                                 related_name="steps")
    order = models.PositiveSmallIntegerField("顺序")
    code = models.SlugField("代码", max_length=30)
    name = models.CharField("名称", max_length=50)
    description = models.CharField("说明", max_length=200, blank=True)
    movers = models.JSONField("可推进的角色", default=list)
    comments_open = models.BooleanField("开放评论", default=False)

    class Meta:
        verbose_name = "流程步骤"
        verbose_name_plural = "流程步骤"
        ordering = ["template", "order"]
        constraints = [models.UniqueConstraint(fields=["template", "order"], name="council_step_order_unique")]

    def __str__(self):
        return f"{self.order}. {self.name}"


# --- proposals ------------------------------------------------------------------------------------

def _proposal_own(scope):
    return Q(compound_id__in=scope.home_compound_ids) | Q(proposer_id=scope.user_id)


class Proposal(models.Model):
    class Source(models.TextChoices):
        RESIDENT = "resident", "居民提议"
        ORGANISATION = "organisation", "组织提议"
        CASE = "case", "诉求转议（大事）"

    class Status(models.TextChoices):
        ACTIVE = "active", "进行中"
        DONE = "done", "已办结"
        REJECTED = "rejected", "未通过审核"

    compound = models.ForeignKey("places.Compound", verbose_name="小区", on_delete=models.PROTECT,
                                 related_name="proposals")
    template = models.ForeignKey(ProcessTemplate, verbose_name="议事流程", on_delete=models.PROTECT,
                                 related_name="proposals")
    step = models.ForeignKey(ProcessStep, verbose_name="当前步骤", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    title = models.CharField("议题", max_length=100)
    body_original = EncryptedTextField("内容与理由原文", blank=True, editable=False)
    body = RedactedTextField("内容与理由", max_length=4000, original="body_original")
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.RESIDENT)
    organisation = models.CharField("提议组织", max_length=100, blank=True)
    case = models.ForeignKey("cases.Case", verbose_name="来源诉求", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提议人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="council_proposals")
    urgent = models.BooleanField("紧急", default=False)
    created_at = models.DateTimeField("提出时间", default=clock.now, db_index=True)
    updated_at = models.DateTimeField("更新时间", default=clock.now)

    scoping = Scoping(code="compound__community__code", compound="compound_id", grid=_in_grids("compound_id"),
                      own=_proposal_own)

    class Meta:
        verbose_name = "议事提案"
        verbose_name_plural = "议事提案"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return f"YS-{self.pk}"


def _via_proposal_own(scope):
    return Q(proposal__in=Proposal.objects.filter(_proposal_own(scope)).values("pk"))


PROPOSAL_SCOPING = Scoping(code="proposal__compound__community__code", compound="proposal__compound_id",
                           grid=_in_grids("proposal__compound_id"), own=_via_proposal_own)


class ProposalEvent(models.Model):
    """The proposal's timeline: submitted, moved on, sent back, rejected, finished."""

    proposal = models.ForeignKey(Proposal, verbose_name="提案", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", default=clock.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL,
                              related_name="+")
    from_step = models.CharField("原步骤", max_length=50, blank=True)
    to_step = models.CharField("新步骤", max_length=50, blank=True)
    text = models.TextField("说明", blank=True)

    scoping = PROPOSAL_SCOPING

    class Meta:
        verbose_name = "提案进程"
        verbose_name_plural = "提案进程"
        ordering = ["at", "id"]


class Comment(models.Model):
    class Status(models.TextChoices):
        SHOWN = "shown", "显示"
        HIDDEN = "hidden", "已屏蔽"

    proposal = models.ForeignKey(Proposal, verbose_name="提案", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发言人", null=True,
                               on_delete=models.SET_NULL, related_name="+")
    step = models.CharField("所处步骤", max_length=50, blank=True)
    body_original = EncryptedTextField("意见原文", blank=True, editable=False)
    body = RedactedTextField("意见", max_length=1000, original="body_original")
    at = models.DateTimeField("时间", default=clock.now)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.SHOWN)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    moderation_reason = models.CharField("屏蔽理由", max_length=200, blank=True)

    scoping = PROPOSAL_SCOPING

    class Meta:
        verbose_name = "议事意见"
        verbose_name_plural = "议事意见"
        ordering = ["at", "id"]

    def __str__(self):
        return self.body[:30]


# --- meetings -------------------------------------------------------------------------------------

def _meeting_own(scope):
    return Q(compound_id__in=scope.home_compound_ids) | Q(compound__isnull=True,
                                                          community_id__in=_home_communities(scope))


class MeetingKind(models.TextChoices):
    FORUM = "forum", "邻里议事厅（每周）"
    JOINT = "joint", "支部与自管委联席会（每两周）"
    COMMITTEE = "committee", "社区大党委扩大会议（每季度）"
    OTHER = "other", "专题会议"


# kind → (RFC 5545 FREQ, INTERVAL)
RECURRENCE = {"forum": ("WEEKLY", 1), "joint": ("WEEKLY", 2), "committee": ("MONTHLY", 3)}


class MeetingSeries(models.Model):
    community = models.ForeignKey("places.AdminUnit", verbose_name="社区", on_delete=models.PROTECT,
                                  related_name="+", limit_choices_to={"level": "community"})
    compound = models.ForeignKey("places.Compound", verbose_name="小区", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=16, choices=[c for c in MeetingKind.choices if c[0] != "other"])
    name = models.CharField("名称", max_length=100)
    location = models.CharField("地点", max_length=100, blank=True)
    first_at = models.DateTimeField("首次开始时间")
    duration_minutes = models.PositiveSmallIntegerField("时长（分钟）", default=90)
    until = models.DateField("截止日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", default=clock.now)

    scoping = Scoping(code="community__code", compound="compound_id", grid=_in_grids("compound_id"),
                      own=_meeting_own)

    class Meta:
        verbose_name = "例会"
        verbose_name_plural = "例会"
        ordering = ["community", "kind", "name"]

    def __str__(self):
        return self.name


class Meeting(models.Model):
    series = models.ForeignKey(MeetingSeries, verbose_name="所属例会", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="meetings")
    community = models.ForeignKey("places.AdminUnit", verbose_name="社区", on_delete=models.PROTECT,
                                  related_name="+", limit_choices_to={"level": "community"})
    compound = models.ForeignKey("places.Compound", verbose_name="小区", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=16, choices=MeetingKind.choices, default=MeetingKind.OTHER)
    title = models.CharField("会议名称", max_length=100)
    starts_at = models.DateTimeField("开始时间", db_index=True)
    location = models.CharField("地点", max_length=100, blank=True)
    minutes = models.TextField("会议纪要", blank=True)

    scoping = Scoping(code="community__code", compound="compound_id", grid=_in_grids("compound_id"),
                      own=_meeting_own)

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["-starts_at", "-id"]

    def __str__(self):
        return f"{self.title}（{self.starts_at:%Y-%m-%d}）"


def _via_meeting(prefix):
    return Scoping(code=f"{prefix}community__code", compound=f"{prefix}compound_id",
                   grid=_in_grids(f"{prefix}compound_id"),
                   own=lambda s: Q(**{f"{prefix}pk__in": Meeting.objects.filter(_meeting_own(s)).values("pk")}))


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField("顺序", default=1)
    proposal = models.ForeignKey(Proposal, verbose_name="提案", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="agenda_items")
    topic = models.CharField("议程", max_length=100)

    scoping = _via_meeting("meeting__")

    class Meta:
        verbose_name = "议程"
        verbose_name_plural = "议程"
        ordering = ["meeting", "order", "id"]


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attendance")
    name = models.CharField("姓名", max_length=50)
    capacity = models.CharField("身份", max_length=50, blank=True)
    present = models.BooleanField("出席", default=True)

    scoping = _via_meeting("meeting__")

    class Meta:
        verbose_name = "出席"
        verbose_name_plural = "出席"
        ordering = ["meeting", "id"]


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="decisions")
    proposal = models.ForeignKey(Proposal, verbose_name="提案", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="decisions")
    text = models.TextField("决定事项", max_length=1000)
    owner = models.CharField("责任人", max_length=50)
    due_on = models.DateField("完成时限")
    percent = models.PositiveSmallIntegerField("进度(%)", default=0)
    done_on = models.DateField("完成日期", null=True, blank=True)

    scoping = _via_meeting("meeting__")

    class Meta:
        verbose_name = "会议决定"
        verbose_name_plural = "会议决定"
        ordering = ["due_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="council_decision_percent")]

    def __str__(self):
        return self.text[:40]

    @property
    def overdue(self) -> bool:
        return self.done_on is None and self.due_on < clock.today()


class Milestone(models.Model):
    decision = models.ForeignKey(Decision, verbose_name="决定", on_delete=models.CASCADE, related_name="milestones")
    on = models.DateField("日期")
    percent = models.PositiveSmallIntegerField("进度(%)")
    note = models.CharField("进展", max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scoping = _via_meeting("decision__meeting__")

    class Meta:
        verbose_name = "进度节点"
        verbose_name_plural = "进度节点"
        ordering = ["on", "id"]


# --- owners -------------------------------------------------------------------------------------

class Ownership(models.Model):
    """A resident owns a dwelling they do not live in (the registry only places people where they live)."""

    dwelling = models.ForeignKey("places.Dwelling", verbose_name="房屋", on_delete=models.CASCADE, related_name="+")
    resident = models.ForeignKey("people.Resident", verbose_name="业主", on_delete=models.CASCADE,
                                 related_name="+")
    since = models.DateField("取得产权日期", null=True, blank=True)

    scoping = Scoping(code="dwelling__entrance__building__compound__community__code",
                      compound="dwelling__entrance__building__compound_id",
                      grid="dwelling__entrance__building__grid_id", own=lambda s: Q(resident_id__in=s.resident_ids))

    class Meta:
        verbose_name = "产权登记"
        verbose_name_plural = "产权登记"
        ordering = ["dwelling", "resident"]
        constraints = [models.UniqueConstraint(fields=["dwelling", "resident"], name="council_ownership_unique")]

    def __str__(self):
        return f"{self.resident} · {self.dwelling}"


# --- ballots --------------------------------------------------------------------------------------

class Rule(models.TextChoices):
    HOUSEHOLD_CONSENT = "household_consent", "住户同意（按户计）"
    OWNERS_278 = "owners_278", "业主共同决定（民法典第二百七十八条）"
    ENTRANCE_OWNERS = "entrance_owners", "单元业主表决（加装电梯等）"
    PARTY_MEMBERS = "party_members", "支部党员表决"


class Matter(models.TextChoices):
    MAJOR = "major", "重大事项（筹集维修资金、改建重建、改变共有部分用途或利用共有部分从事经营）"
    ORDINARY = "ordinary", "其他共同决定事项"


class Choice(models.TextChoices):
    AGREE = "agree", "同意"
    DISAGREE = "disagree", "不同意"
    ABSTAIN = "abstain", "弃权"


def _ballot_own(scope):
    return Q(compound_id__in=scope.home_compound_ids) | Q(
        pk__in=Voter.objects.filter(residents__in=scope.resident_ids).values("ballot_id"))


class Ballot(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "投票中"
        CLOSED = "closed", "已结束"

    compound = models.ForeignKey("places.Compound", verbose_name="小区", on_delete=models.PROTECT,
                                 related_name="ballots")
    proposal = models.ForeignKey(Proposal, verbose_name="提案", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="ballots")
    entrance = models.ForeignKey("places.Entrance", verbose_name="单元", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    party_org = models.ForeignKey("orgs.PartyOrg", verbose_name="党支部", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    title = models.CharField("表决事项", max_length=100)
    question = models.TextField("表决内容", max_length=2000)
    rule = models.CharField("表决规则", max_length=24, choices=Rule.choices)
    matter = models.CharField("事项类别", max_length=16, choices=Matter.choices, default=Matter.ORDINARY)
    threshold_percent = models.PositiveSmallIntegerField("同意比例(%)", default=80,
                                                         help_text="仅用于按户同意：同意户数占总户数的最低比例")
    cost_total = models.DecimalField("总费用(元)", max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True)
    opened_at = models.DateTimeField("开始时间", default=clock.now)
    closes_at = models.DateTimeField("截止时间")
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    passed = models.BooleanField("通过", null=True, blank=True)
    # The explained tally, frozen at close: what the notice publishes, whatever changes later.
    result = models.JSONField("表决结果", null=True, blank=True)

    scoping = Scoping(code="compound__community__code", compound="compound_id", grid=_in_grids("compound_id"),
                      own=_ballot_own)

    class Meta:
        verbose_name = "表决"
        verbose_name_plural = "表决"
        ordering = ["-opened_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


BALLOT_SCOPING = Scoping(code="ballot__compound__community__code", compound="ballot__compound_id",
                         grid=_in_grids("ballot__compound_id"),
                         own=lambda s: Q(ballot__in=Ballot.objects.filter(_ballot_own(s)).values("pk")))


class CostShare(models.Model):
    """The agreed split of a cost (a lift retrofit) among an entrance's dwellings."""

    ballot = models.ForeignKey(Ballot, verbose_name="表决", on_delete=models.CASCADE, related_name="cost_shares")
    dwelling = models.ForeignKey("places.Dwelling", verbose_name="房屋", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("分摊金额(元)", max_digits=12, decimal_places=2)

    scoping = BALLOT_SCOPING

    class Meta:
        verbose_name = "费用分摊"
        verbose_name_plural = "费用分摊"
        ordering = ["ballot", "dwelling"]
        constraints = [models.UniqueConstraint(fields=["ballot", "dwelling"], name="council_cost_share_unique")]


class Voter(models.Model):
    """One member of a ballot's electorate, frozen at opening: an owner, a household or a Party member."""

    ballot = models.ForeignKey(Ballot, verbose_name="表决", on_delete=models.CASCADE, related_name="voters")
    key = models.CharField("身份键", max_length=80)
    label = models.CharField("名称", max_length=200)
    area = models.DecimalField("专有面积(m²)", max_digits=12, decimal_places=2, default=0)
    dwellings = models.ManyToManyField("places.Dwelling", verbose_name="房屋", blank=True, related_name="+")
    residents = models.ManyToManyField("people.Resident", verbose_name="可投票的居民", blank=True, related_name="+")

    scoping = BALLOT_SCOPING

    class Meta:
        verbose_name = "表决人"
        verbose_name_plural = "表决人"
        ordering = ["ballot", "id"]
        constraints = [models.UniqueConstraint(fields=["ballot", "key"], name="council_voter_key_unique")]

    def __str__(self):
        return self.label


class Vote(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", "网上投票"
        PROXY = "proxy", "书面委托代投"
        PAPER = "paper", "纸质选票（工作人员录入）"

    ballot = models.ForeignKey(Ballot, verbose_name="表决", on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(Voter, verbose_name="表决人", on_delete=models.CASCADE, related_name="votes")
    choice = models.CharField("意见", max_length=8, choices=Choice.choices)
    channel = models.CharField("方式", max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人", null=True,
                                on_delete=models.SET_NULL, related_name="+")
    proxy_name = models.CharField("受托人", max_length=50, blank=True)
    attachment = models.FileField("委托书/选票扫描件", upload_to="council/votes/%Y/%m/", max_length=200, blank=True)
    cast_at = models.DateTimeField("首次投票时间", default=clock.now)
    changed_at = models.DateTimeField("最后修改时间", default=clock.now)
    changes = models.PositiveSmallIntegerField("修改次数", default=0)

    scoping = BALLOT_SCOPING

    class Meta:
        verbose_name = "选票"
        verbose_name_plural = "选票"
        ordering = ["ballot", "id"]
        # One vote per voter: a changed vote replaces the first, never adds a second.
        constraints = [models.UniqueConstraint(fields=["ballot", "voter"], name="council_one_vote_per_voter")]


# --- publication ----------------------------------------------------------------------------------

def _notice_own(scope):
    today = clock.today()
    return Q(compound_id__in=scope.home_compound_ids, starts_on__lte=today, ends_on__gte=today)


class Notice(models.Model):
    """公示: a decision and its result, shown to the compound's residents for its period."""

    compound = models.ForeignKey("places.Compound", verbose_name="小区", on_delete=models.PROTECT,
                                 related_name="notices")
    ballot = models.ForeignKey(Ballot, verbose_name="表决", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="notices")
    proposal = models.ForeignKey(Proposal, verbose_name="提案", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="notices")
    title = models.CharField("标题", max_length=100)
    body = models.TextField("公示内容", max_length=4000)
    starts_on = models.DateField("公示开始")
    ends_on = models.DateField("公示结束")
    published_at = models.DateTimeField("发布时间", default=clock.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人", null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    executed_on = models.DateField("实施完成日期", null=True, blank=True)

    scoping = Scoping(code="compound__community__code", compound="compound_id", grid=_in_grids("compound_id"),
                      own=_notice_own)

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        ordering = ["-published_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="council_notice_period")]

    def __str__(self):
        return self.title


class Evaluation(models.Model):
    class Score(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASIC = "basic", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"

    notice = models.ForeignKey(Notice, verbose_name="公示", on_delete=models.CASCADE, related_name="evaluations")
    resident = models.ForeignKey("people.Resident", verbose_name="居民", on_delete=models.CASCADE, related_name="+")
    score = models.CharField("评价", max_length=12, choices=Score.choices)
    note = models.CharField("意见", max_length=300, blank=True)
    at = models.DateTimeField("时间", default=clock.now)

    scoping = Scoping(code="notice__compound__community__code", compound="notice__compound_id",
                      grid=_in_grids("notice__compound_id"), own=lambda s: Q(resident_id__in=s.resident_ids))

    class Meta:
        verbose_name = "满意度评价"
        verbose_name_plural = "满意度评价"
        ordering = ["notice", "id"]
        constraints = [models.UniqueConstraint(fields=["notice", "resident"], name="council_one_evaluation")]
