"""Synthetic complaints at scale, for benchmarks and load tests.

``generate`` writes realistic cases over a span of years: a national
organisation of branches and sub-branches with their staff, complaints by
channel and category, each case's life as far as it has got (verification,
callback and contact attempts, proposal, the approval chain of its tier,
payment, resolution, revisit, reopening, archive with root cause), its
history with the time spent in each state, and the deadline alerts the sweep
would already have sent. It applies the product's own rules, not copies of
them: ``classify`` for level and owner rule, ``assign_owner`` for the owner,
``escalation.deadlines`` for deadlines, ``workflow.reopened`` for a case that
comes back, ``sweep.breached`` for a breach, ``tracking.refresh`` for what the
sweep must watch, ``approvals.services.route`` for the tier and
``numbering.reserve_numbers`` for the numbers.

Rows are written in chunks: with PostgreSQL's COPY, elsewhere with
``bulk_create``. Nothing is written through the services one case at a time;
that is what makes a million cases take minutes rather than hours.
"""

import csv
import datetime as dt
import io
import json
import multiprocessing
import random
import traceback
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from types import SimpleNamespace

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, connections, models, transaction
from django.utils import timezone, translation

from accounts import roles
from accounts.models import OrgUnit, User
from accounts.selectors import holders_remembered, role_holder
from accounts.services import org_unit_save
from approvals.models import ApprovalChain, ApprovalStep, Payment
from approvals.services import route
from complaints import likeness, similar, tracking
from complaints.classification import Facts, classify
from complaints.models import (
    CallbackRule,
    Category,
    Cause,
    Channel,
    Complaint,
    ContactAttempt,
    HistoryEntry,
    Level,
    Likeness,
    Notice,
    NoticeChannel,
    NoticeKind,
    Review,
    SensitiveIdentity,
    SourceBody,
    State,
)
from complaints.numbering import reserve_numbers
from complaints.services import assign_owner, reopened, resolution_deadline
from complaints.sweep import breached
from config import clock
from escalation import deadlines
from escalation.calendar import WorkingCalendar
from escalation.models import Alert

MARK = "GEN-"  # product_ref prefix of generated cases
REPEAT_SHARE = 0.03  # complaints by someone who complained in the last 7 days, about the same matter (and as many about another)
PRODUCTS = 300  # products complained about: a few often, most seldom


def product_ref(rng) -> str:
    """A product of a catalogue of ``PRODUCTS``, the first ones most complained about (heavy-tailed)."""
    share = (rng.randint(100000, 999999) - 100000) / 900000  # one draw, as the generator always made
    return f"{MARK}P{int(1 / (1 - share) ** 1.2) % PRODUCTS:03d}"

# code, name, weight (relative complaint volume)
PROVINCES = [
    ("GD", "广东分公司", 9), ("JS", "江苏分公司", 7), ("ZJ", "浙江分公司", 6), ("SD", "山东分公司", 6),
    ("HEN", "河南分公司", 5), ("SC", "四川分公司", 5), ("HUB", "湖北分公司", 4), ("HUN", "湖南分公司", 4),
    ("FJ", "福建分公司", 4), ("BJ", "北京分公司", 5), ("SH", "上海分公司", 5), ("HEB", "河北分公司", 4),
    ("AH", "安徽分公司", 3), ("LN", "辽宁分公司", 3), ("SAX", "陕西分公司", 3), ("JX", "江西分公司", 3),
    ("CQ", "重庆分公司", 3), ("GX", "广西分公司", 3), ("YN", "云南分公司", 2), ("SX", "山西分公司", 2),
    ("TJ", "天津分公司", 2), ("GZ", "贵州分公司", 2), ("JL", "吉林分公司", 2), ("HLJ", "黑龙江分公司", 2),
    ("NMG", "内蒙古分公司", 1), ("XJ", "新疆分公司", 1), ("GS", "甘肃分公司", 1), ("HAN", "海南分公司", 1),
    ("NX", "宁夏分公司", 1), ("QH", "青海分公司", 1), ("XZ", "西藏分公司", 1),
]
SUB_BRANCHES = 3  # per branch
SUB_NAMES = ["第一支公司", "第二支公司", "第三支公司", "第四支公司", "第五支公司"]
BRANCH_STAFF = (roles.FRONT_DESK, roles.HANDLER, roles.HANDLER, roles.SENIOR_AGENT, roles.SUPERVISOR,
                roles.CS_MANAGER, roles.RISK_CONTROL, roles.FINANCE, roles.MERCHANT_OPS)
SUB_BRANCH_STAFF = (roles.FRONT_DESK, roles.HANDLER)

CHANNELS = [(Channel.PHONE, 40), (Channel.WALK_IN, 18), (Channel.ONLINE, 12), (Channel.BANK_BRANCH, 9),
            (Channel.EMAIL, 6), (Channel.LETTER, 3), (Channel.REGULATOR, 7), (Channel.HQ, 2),
            (Channel.OTHER, 3)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
         "超", "秀英", "霞", "平", "刚", "桂英", "建华", "志强", "海燕"]
AMOUNTS = [Decimal(a) for a in (
    "0", "0", "0", "50", "88", "100", "200", "300", "500", "800", "1000", "1500", "1999.99", "2000", "2600",
    "3000", "5000", "8000", "9999.99", "10000", "12000", "20000", "35000", "49999.99", "50000", "80000",
    "120000", "300000", "600000")]
REASONS = {
    "general": ("服务态度差，答复敷衍", "要求道歉并尽快处理"),
    "points": ("积分兑换商品迟迟未发货", "尽快发货或退回积分"),
    "insurance": ("理赔进度缓慢，资料提交后无人跟进", "尽快赔付"),
    "property": ("报修多日无人处理", "限期维修并赔偿损失"),
    "bank": ("理财产品收益与销售时宣传不符", "说明情况并赔偿损失"),
}
# What the customer told, in a few sentences of the domain's and everyone's: varied enough that a
# search meets common words (退款, 理财) and rare ones, as in a complaint department's cases.
NARRATIVES = {
    "general": ["客服电话多次无人接听", "工作人员答复前后不一", "承诺的回电没有兑现", "营业网点排队超过一小时",
                "工作人员态度生硬", "投诉后无人跟进"],
    "points": ["兑换的商品迟迟未发货", "物流信息十天未更新", "收到的商品与页面描述不符", "积分被无故扣减",
               "申请退款后积分未退回", "商户拒绝办理退货"],
    "insurance": ["理赔资料提交后无人跟进", "保单退保金额与说明不符", "续保时保费上涨未提前告知", "理赔款迟迟未到账",
                  "代理人销售时夸大收益", "体检报告被要求重复提交"],
    "property": ["报修后多日无人上门", "物业费收费标准不透明", "电梯故障反复出现", "停车位被占用无人处理",
                 "维修后问题依旧", "小区门禁卡无法使用"],
    "bank": ["理财产品到期未按时兑付", "信用卡被盗刷要求退款", "贷款提前还款被收取违约金", "柜员推荐的基金亏损严重",
             "信用卡年费未经同意扣收", "转账到账延迟", "储蓄卡被冻结无法取款", "理财经理承诺保本保收益"],
}
NARRATIVE_ENDINGS = ["要求尽快处理", "要求退款", "要求赔偿损失", "要求给出书面说明", "已多次联系未果",
                     "表示将向监管部门反映", "希望相关人员道歉"]


def narrative(domain: str, number: str) -> str:
    """The customer's account of a case: two of its domain's events (and maybe one of
    everyone's) and what they ask. Drawn from the case number, so the generator's own
    random stream (and every generated fact) is the same as without it."""
    rng = random.Random(number)
    events = rng.sample(NARRATIVES.get(domain, NARRATIVES["general"]), 2)
    if rng.random() < 0.3:
        events.append(rng.choice(NARRATIVES["general"]))
    return f"客户来电反映{'，'.join(events)}，{rng.choice(NARRATIVE_ENDINGS)}。"


ROOT_CAUSES = ["业务流程不完善", "人员服务意识不足", "系统故障", "合作商户履约不到位", "销售误导",
               "客户对条款理解有误", "理赔时效管理不到位"]


@dataclass
class Staff:
    """Who works where, looked up once."""

    units: list[OrgUnit]
    weights: list[int]
    by_unit_role: dict[tuple[int, str], list[User]]
    hq: OrgUnit
    admin: User

    def pick(self, rng: random.Random, unit: OrgUnit, role: str) -> User:
        for candidate in [unit, *unit.ancestors()]:
            people = self.by_unit_role.get((candidate.pk, role))
            if people:
                return rng.choice(people)
        return self.admin


def build_organisation(*, password_hash: str = "!") -> Staff:
    """Branches and sub-branches under HQ with their staff (created once;
    accounts without a usable password). The demo units and users are kept."""
    if not User.objects.filter(username="admin").exists():
        call_command("seed_demo", complaints=0, verbosity=0)
    hq = OrgUnit.objects.get(code="HQ")
    groups = {g.name: g for g in Group.objects.all()}
    units, weights = [], []
    new_users, memberships = [], []
    for code, name, weight in PROVINCES:
        branch = OrgUnit.objects.filter(code=code).first() or org_unit_save(
            unit=OrgUnit(code=code, name=name, kind=OrgUnit.Kind.BRANCH, parent=hq))
        units.append(branch)
        weights.append(weight * 2)
        for i in range(1, SUB_BRANCHES + 1):
            sub_code = f"{code}{i:02d}"
            sub = OrgUnit.objects.filter(code=sub_code).first() or org_unit_save(
                unit=OrgUnit(code=sub_code, name=name.replace("分公司", SUB_NAMES[i - 1]),
                             kind=OrgUnit.Kind.SUB_BRANCH, parent=branch))
            units.append(sub)
            weights.append(weight)
    existing = set(User.objects.values_list("username", flat=True))
    for unit in units:
        staff = BRANCH_STAFF if unit.kind == OrgUnit.Kind.BRANCH else SUB_BRANCH_STAFF
        for n, role in enumerate(staff):
            username = f"gen_{unit.code.lower()}_{role}_{n}"
            if username in existing:
                continue
            user = User(username=username, org_unit=unit, is_active=True, is_staff=True,
                        password=password_hash, last_name=SURNAMES[n % len(SURNAMES)],
                        first_name=GIVEN[(len(unit.code) + n) % len(GIVEN)])
            new_users.append(user)
            memberships.append((username, role))
    User.objects.bulk_create(new_users, batch_size=500)
    ids = dict(User.objects.filter(username__in=[u for u, _ in memberships]).values_list("username", "pk"))
    Through = User.groups.through
    Through.objects.bulk_create([Through(user_id=ids[u], group_id=groups[r].pk) for u, r in memberships],
                                ignore_conflicts=True)
    by_unit_role = defaultdict(list)
    for user in User.objects.filter(is_active=True).select_related("org_unit").prefetch_related("groups"):
        for group in user.groups.all():
            if user.org_unit_id:
                by_unit_role[(user.org_unit_id, group.name)].append(user)
    # Ancestor chains are walked per case; keep them in memory.
    by_pk = {u.pk: u for u in OrgUnit.objects.all()}
    for unit in [*units, *by_pk.values()]:
        unit.parent = by_pk.get(unit.parent_id)
    return Staff(units=units, weights=weights, by_unit_role=dict(by_unit_role), hq=hq,
                 admin=User.objects.get(username="admin"))


# --- The rows ------------------------------------------------------------------

@dataclass
class Rows:
    complaints: list[dict] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    chains: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    payments: list[dict] = field(default_factory=list)
    alerts: list[dict] = field(default_factory=list)
    notices: list[dict] = field(default_factory=list)
    reviews: list[dict] = field(default_factory=list)


class Ids:
    """Primary keys taken from the table's own sequence (PostgreSQL) or after
    its highest key (SQLite), so rows can refer to each other before insert."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.pool: list[int] = []
        self.next_sqlite = None

    def take(self, n: int) -> list[int]:
        if connection.vendor == "postgresql":
            table = self.model._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                               [table, n])
                return [row[0] for row in cursor.fetchall()]
        if self.next_sqlite is None:
            self.next_sqlite = (self.model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        start, self.next_sqlite = self.next_sqlite, self.next_sqlite + n
        return list(range(start, start + n))

    def one(self) -> int:
        if not self.pool:
            self.pool = self.take(2000)[::-1]  # popped in ascending order
        return self.pool.pop()


def write(model: type[models.Model], rows: list[dict]) -> None:
    """Insert plain rows (attname → value). COPY on PostgreSQL; bulk_create elsewhere."""
    if not rows:
        return
    fields = list(model._meta.concrete_fields)
    missing = [f for f in fields if f.attname not in rows[0]]
    defaults = {f.attname: _default(f) for f in missing}
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**{**defaults, **row}) for row in rows], batch_size=500)
        return
    names = [f.attname for f in fields]
    convert = [_converter(f) for f in fields]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        values = {**defaults, **row} if missing else row
        writer.writerow([c(values[n]) for c, n in zip(convert, names, strict=True)])
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) "  # noqa: S608 (our own names)
            "FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)


def _default(f):
    if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        return clock.now()
    return f.get_default()


def _converter(f) -> Callable:
    """A value as COPY's CSV format reads it (\\N is NULL)."""
    if isinstance(f, models.JSONField):
        return lambda v: "\\N" if v is None else json.dumps(v, ensure_ascii=False)
    if isinstance(f, models.BooleanField):
        return lambda v: "\\N" if v is None else ("t" if v else "f")
    if isinstance(f, models.DateTimeField):
        return lambda v: "\\N" if v is None else v.isoformat()
    if isinstance(f, models.BinaryField):
        return lambda v: "\\N" if v is None else "\\x" + bytes(v).hex()
    return lambda v: "\\N" if v is None else str(v)


# --- One case's life -----------------------------------------------------------

class Case:
    """Builds one case's rows as its life unfolds up to ``now``."""

    def __init__(self, gen: "Generator", row: dict, now: dt.datetime):
        self.gen, self.row, self.now = gen, row, now
        self.state = State.RECEIVED
        self.entered = row["received_at"]
        self.alive = True  # False once the next step would lie in the future

    def step(self, at: dt.datetime, name: str, to_state: str, by: User | None, comment: str = "",
             data: dict | None = None) -> bool:
        """Record a transition at ``at`` if it has happened by now."""
        if not self.alive or at > self.now:
            self.alive = False
            return False
        seconds = None
        if to_state != self.state:
            seconds = max(int((at - self.entered).total_seconds()), 0)
            self.entered = at
        self.gen.rows.history.append(dict(
            id=self.gen.ids[HistoryEntry].one(), complaint_id=self.row["id"], transition=name,
            from_state=self.state, to_state=to_state, by_id=by.pk if by else None, at=at, comment=comment,
            data=data or {}, seconds_in_from_state=seconds))
        self.state = to_state
        return True


class Generator:
    def __init__(self, *, staff: Staff, rng: random.Random, now: dt.datetime, all_open: bool = False):
        self.staff, self.rng, self.now, self.all_open = staff, rng, now, all_open
        self.rows = Rows()
        self.ids = {m: Ids(m) for m in (Complaint, HistoryEntry, ContactAttempt, ApprovalChain,
                                        ApprovalStep, Payment, Alert, Notice, Review)}
        self.categories = list(Category.objects.filter(is_active=True, selectable=True))
        self.causes = list(Cause.objects.filter(is_active=True).values_list("pk", flat=True))
        # Common complaints are common: the first categories of each line weigh more.
        self.category_weights = [max(1, 12 - i % 12) for i, _ in enumerate(self.categories)]
        self._owner = cache(self._owner_uncached)
        self._callback = cache(self._callback_uncached)
        self._route = cache(route)
        self._approver = cache(self._approver_uncached)
        self._close_after = cache(self._close_after_uncached)
        self._users = None
        # The last week's cases' complainants, (received, phone, name, category id) in time order, and
        # by phone: who may come back, and whether they come back within 7 days in the same category.
        self.recent: deque = deque()
        self.by_phone: dict[str, list[tuple[int, dt.datetime]]] = defaultdict(list)
        self.by_category: dict[int, deque] = defaultdict(deque)
        self.calendar = WorkingCalendar(timezone.localdate(now) - dt.timedelta(days=365 * 4),
                                        timezone.localdate(now) + dt.timedelta(days=60))

    # Rules of the product, asked once per distinct question.
    def _owner_uncached(self, rule: str, logged_by: User, unit: OrgUnit, agent: User | None):
        return assign_owner(rule=rule, logged_by=logged_by, unit=unit, agent=agent)

    def _callback_uncached(self, day: dt.date, before_close: bool, rule: str) -> deadlines.Due:
        close = deadlines.business_hours()[1]
        moment = dt.time(9, 0) if before_close else close
        return deadlines.first_callback_due(timezone.make_aware(dt.datetime.combine(day, moment)), rule,
                                            calendar=self.calendar)

    def _close_after_uncached(self, day: dt.date, n: int) -> dt.datetime:
        found, _ = self.calendar.working_days_after(day, n)
        return timezone.make_aware(dt.datetime.combine(found, deadlines.business_hours()[1]))

    def close_of_working_day_after(self, moment: dt.datetime, n: int) -> dt.datetime:
        """deadlines.close_of_working_day_after on the generator's calendar (the
        contact window, the revisit clock), asked once per day."""
        return self._close_after(timezone.localtime(moment).date(), n)

    def notice(self, row: dict, kind: str, at: dt.datetime, by: User | None, channel: str | None = None) -> dict:
        """One notice to the customer (§8), told or sent by ``at``."""
        channel = channel or (NoticeChannel.SMS if self.rng.random() < 0.4 else NoticeChannel.PHONE)
        sent = channel == NoticeChannel.SMS
        notice = dict(id=self.ids[Notice].one(), complaint_id=row["id"], kind=kind, channel=channel,
                      to=row["complainant_phone"] if sent else row["complainant_name"],
                      content=f"尊敬的{row['complainant_name']}：关于您的投诉（受理号{row['number']}）……",
                      at=at, by_id=by.pk if by else None,
                      status=Notice.Status.SENT if sent else Notice.Status.RECORDED,
                      attempts=1 if sent else 0, next_attempt_at=None, claimed_until=None,
                      sent_at=at + dt.timedelta(seconds=5) if sent else None, error="")
        self.rows.notices.append(notice)
        return notice

    def callback_due(self, received: dt.datetime, rule: str) -> deadlines.Due:
        if rule == CallbackRule.THREE_HOURS:
            return deadlines.first_callback_due(received, rule)
        local = timezone.localtime(received)
        return self._callback(local.date(), local.time() < deadlines.business_hours()[1], rule)

    def _approver_uncached(self, role: str, unit: OrgUnit, proposer: User | None) -> User:
        where = unit if role == roles.SUPERVISOR else self.staff.hq
        return (role_holder(role=role, unit=where, exclude=proposer)
                or role_holder(role=roles.CS_MANAGER, unit=where, exclude=proposer) or self.staff.admin)

    def approver(self, role: str, unit: OrgUnit, proposer: User) -> User:
        """Who decides a step: the role's holder nearest the case, never the proposer."""
        first = self._approver(role, unit, None)
        return first if first != proposer else self._approver(role, unit, proposer)

    def hours(self, low: float, high: float) -> dt.timedelta:
        return dt.timedelta(hours=self.rng.uniform(low, high))

    # The record at intake.
    def complaint(self, received: dt.datetime, number: str) -> dict:
        rng, staff = self.rng, self.staff
        unit = rng.choices(staff.units, staff.weights)[0]
        category = rng.choices(self.categories, self.category_weights)[0]
        channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
        logger = staff.pick(rng, unit, roles.FRONT_DESK if rng.random() < 0.6 else roles.HANDLER)
        agent = staff.pick(rng, unit, roles.HANDLER) if category.requires_agent else None
        if agent is not None and agent == logger:
            logger = staff.pick(rng, unit, roles.FRONT_DESK)
        r = rng.random()
        # §8: a regulator always sets a reply deadline; a letters office or HQ sometimes names its body.
        body, reply_due = "", None
        if channel == Channel.REGULATOR:
            body = rng.choice([SourceBody.NFRA, SourceBody.NFRA, SourceBody.HOTLINE_12378, SourceBody.PBOC,
                               SourceBody.HOTLINE_12363])
            reply_due = self.close_of_working_day_after(received, rng.choice([5, 7, 10, 15]))
        elif channel == Channel.LETTER and rng.random() < 0.6:
            body = rng.choice([SourceBody.PETITION_OFFICE, SourceBody.HOTLINE_12345, SourceBody.CONSUMER_ASSOCIATION])
            reply_due = self.close_of_working_day_after(received, 10) if rng.random() < 0.5 else None
        facts = Facts(
            category_code=category.code, category_level=category.level,
            category_owner_rule=category.owner_rule, category_callback_rule=category.callback_rule,
            channel=channel, is_vip=r < 0.03,
            sensitive_identity=(SensitiveIdentity.MEDIA if 0.03 <= r < 0.035 else
                                (SensitiveIdentity.REGULATOR if 0.035 <= r < 0.04 else SensitiveIdentity.NONE)),
            major_impact=0.04 <= r < 0.044, escalated_from_hq=channel == Channel.HQ,
            group_size=25 if (0.044 <= r < 0.046 and channel == Channel.WALK_IN) else 1,
            body_deadline=reply_due is not None,
        )
        c = classify(facts)
        owner, owner_role = self._owner(c.owner_rule, logger, unit, agent)
        callback = self.callback_due(received, c.callback_rule)
        domain_reason, domain_request = REASONS.get(category.domain, REASONS["general"])
        claim = rng.choice(AMOUNTS) if rng.random() < 0.55 else None
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        phone = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
        # Some complainants come back (a side stream drawn from the number: every other fact stays
        # as the generator always made it); a repeat complaint (重复投诉) when in the same category
        # within 7 days.
        while self.recent and received - self.recent[0][0] > similar.REPEAT_WITHIN:
            _, gone, _, cat = self.recent.popleft()
            self.by_category[cat].popleft()
            self.by_phone[gone].pop(0)
            if not self.by_phone[gone]:
                del self.by_phone[gone]
        side = random.Random(f"{number}:again")
        draw, same = side.random(), self.by_category[category.pk]
        if same and draw < REPEAT_SHARE:  # again about the same matter
            phone, name = same[side.randrange(len(same))]
        elif self.recent and draw < 2 * REPEAT_SHARE:  # again, about something else
            _, phone, name, _ = self.recent[side.randrange(len(self.recent))]
        is_repeat = any(cat == category.pk for cat, _ in self.by_phone.get(phone, ()))
        self.recent.append((received, phone, name, category.pk))
        self.by_category[category.pk].append((phone, name))
        self.by_phone[phone].append((category.pk, received))
        return dict(
            id=self.ids[Complaint].one(), number=number, channel=channel, org_unit_id=unit.pk,
            complainant_name=name, complainant_phone=phone, is_repeat=is_repeat, issue_group_id=None,
            complainant_gender=rng.choice("MFU"), complainant_id_number="",
            customer_type="existing" if rng.random() < 0.8 else "new",
            complainant_region=unit.name.replace("分公司", "").replace("第", "")[:20], is_vip=facts.is_vip,
            sensitive_identity=facts.sensitive_identity, difficult_flags=[],
            category_id=category.pk, cause_id=rng.choice(self.causes),
            reason=f"{category.name}：{domain_reason}", request=domain_request,
            narrative=narrative(category.domain, number), claim_amount=claim, product_ref=product_ref(rng),
            issue_tag="", subject_agent_id=agent.pk if agent else None,
            first_receiver_id=logger.pk, owner_id=owner.pk if owner else None, owner_role=owner_role,
            responsible_department="", major_impact=facts.major_impact, escalated_from_hq=facts.escalated_from_hq,
            group_size=facts.group_size, level=c.level, classification=c.code, urgent_reasons=c.urgent_reasons,
            priority=c.priority, is_batch=False, is_upgraded=False, upgrade_reason="",
            received_at=received, callback_rule=c.callback_rule, first_callback_due=callback.at,
            first_callback_at=None, clock_started_at=received, resolution_window_days=deadlines.BASE_WINDOW_DAYS,
            resolution_due=resolution_deadline(deadlines.resolution_due(received, deadlines.BASE_WINDOW_DAYS),
                                               reply_due),
            paused_at=None, paused_seconds=0,
            calendar_unconfirmed=not callback.confirmed, state=State.RECEIVED, state_entered_at=received,
            invalid_reason="", remedy="", amount=None, proposed_by_id=None, paid_at=None, resolution="",
            resolved_at=None, resolved_on_spot=False, reopen_count=0, revisit_reached=None,
            revisit_satisfied=None, revisit_note="", revisited_at=None, root_cause="", responsible_party="",
            rectification="", archived_at=None, created_at=received, updated_at=received,
            contact_due=self.close_of_working_day_after(received, deadlines.CONTACT_WORKING_DAYS),
            failed_attempts=0, promise_due=None, notice_due=None, notice_due_kind="", revisit_due=None,
            review_due=None, source_body=body, source_reference=f"JR{rng.randint(10**7, 10**8 - 1)}" if body else "",
            reply_due=reply_due, replied_at=None, reply_summary="", replied_by_id=None,
            # Not columns: what the life below needs.
            _unit=unit, _category=category, _logger=logger, _facts=facts,
        )

    def life(self, row: dict) -> None:
        """The case from intake to as far as it has got by now."""
        rng, now, received = self.rng, self.now, row["received_at"]
        case = Case(self, row, now)
        unit, logger = row["_unit"], row["_logger"]
        worker = self._user(row["owner_id"]) or self.staff.pick(rng, unit, roles.HANDLER)
        case.step(received, "receive", State.RECEIVED, logger,
                  data={"level": row["level"], "classification": row["classification"]})
        self.notice(row, NoticeKind.ACKNOWLEDGEMENT, received, logger, NoticeChannel.SMS)  # 受理回执
        if self.all_open:
            # Sweep benchmarks: every case open, its first callback made, nothing due yet.
            self._callback_made(row, case, received + self.hours(0.2, 2), worker)
            if rng.random() < 0.5:
                case.step(received + self.hours(3, 30), "verify", State.VERIFIED, worker)
            self._finish(row, case)
            return
        if row["level"] == Level.I and row["channel"] in (Channel.WALK_IN, Channel.PHONE) and rng.random() < 0.3:
            at = received + self.hours(0.05, 0.5)
            if case.step(at, "resolve_on_spot", State.RESOLVED, logger, comment="当场解释并致歉，客户接受。"):
                row.update(resolution="当场解释并致歉，客户接受。", resolved_on_spot=True, resolved_at=at)
                self._decided(row, at, logger, NoticeChannel.IN_PERSON)
                self._callback_made(row, case, at, logger, contact=False)
                t = self._revisit_and_archive(row, case, at, worker)
                if t is not None and row.get("_reopened"):
                    self._resolve_once(row, case, t, self._user(row["owner_id"]) or worker)
            self._finish(row, case)
            return
        due = row["first_callback_due"]
        late = rng.random() < 0.06
        window = due - received
        cb = due + self.hours(1, 30) if late else received + window * rng.uniform(0.1, 0.95)
        if cb <= now:
            self._callback_made(row, case, cb, worker)
        t = max(cb, received) + self.hours(1, 30)
        if rng.random() < 0.05:
            if row["reply_due"] is not None:
                self._replied(row, case, t, worker)
            if case.step(t, "invalidate", State.ARCHIVED, worker, comment="经核实不属实"):
                row.update(invalid_reason="经核实，客户所述情况不属实，已告知客户。", archived_at=t)
                self.notice(row, NoticeKind.INVALID, t, worker)
            self._finish(row, case)
            return
        if not case.step(t, "verify", State.VERIFIED, worker, comment="调取记录，情况属实。"):
            self._finish(row, case)
            return
        row["responsible_department"] = "运营管理部"
        t = self._resolve_once(row, case, t, worker)
        if t is not None and row.get("_reopened"):
            t = self._resolve_once(row, case, t, self._user(row["owner_id"]) or worker)
        self._finish(row, case)

    def _user(self, pk):
        if self._users is None:
            self._users = {u.pk: u for u in User.objects.all()}
        return self._users.get(pk)

    def _callback_made(self, row, case, at, by, contact=True):
        if at > self.now:
            return
        row["first_callback_at"] = at
        if not contact:
            return
        if self.rng.random() < 0.2:
            # Not answered; the next call was promised, and nine times in ten made by then (履诺).
            tried = at - self.hours(0.2, 2)
            promised = at + self.hours(0.1, 1) if self.rng.random() < 0.9 else max(tried + self.hours(0.1, 0.3),
                                                                                  at - self.hours(0.1, 0.5))
            self.rows.contacts.append(dict(id=self.ids[ContactAttempt].one(), complaint_id=row["id"],
                                           at=tried, outcome="no_answer", note="", promised_callback_at=promised,
                                           by_id=by.pk, recorded_at=tried))
            row["failed_attempts"] += 1
        self.rows.contacts.append(dict(id=self.ids[ContactAttempt].one(), complaint_id=row["id"], at=at,
                                       outcome=ContactAttempt.Outcome.REACHED, note="已联系客户，了解诉求。", by_id=by.pk,
                                       promised_callback_at=None, recorded_at=at))

    def _decided(self, row, at, by, channel=None) -> None:
        """The decision told (§8): its notice, and the revisit due by the 3rd working day after."""
        row["_decision"] = self.notice(row, NoticeKind.DECISION, at, by, channel)
        row["revisit_due"] = self.close_of_working_day_after(at, deadlines.REVISIT_WORKING_DAYS)

    def _replied(self, row, case, at, by) -> None:
        """§8: the reply to the forwarding body, once."""
        if row["replied_at"] is None and case.step(at, "reply_to_body", case.state, by, comment="已向来文单位回复处理结果。"):
            row.update(replied_at=at, replied_by_id=by.pk, reply_summary="已向来文单位回复处理结果。")

    def _resolve_once(self, row, case, t, worker) -> dt.datetime | None:
        """verified → proposed → (approval chain) → approved → paid → resolved → revisited
        → archived, or back to verified when the customer is dissatisfied."""
        rng = self.rng
        amount = row["claim_amount"] if row["claim_amount"] is not None and rng.random() < 0.7 else Decimal("0")
        t += self.hours(2, 72)
        remedy = "向客户致歉并按诉求补偿。" if amount else "向客户解释并致歉。"
        if not case.step(t, "propose", State.PROPOSED, worker, comment=remedy, data={"amount": str(amount)}):
            return None
        row.update(remedy=remedy, amount=amount, proposed_by_id=worker.pk, paid_at=None)
        tier, step_roles = self._route(amount)
        chain = dict(id=self.ids[ApprovalChain].one(), complaint_id=row["id"], amount=amount, remedy=remedy,
                     tier_name=tier.name, step_count=len(step_roles), proposed_by_id=worker.pk, created_at=t,
                     status=ApprovalChain.Status.PENDING, closed_at=None)
        self.rows.chains.append(chain)
        for position, role in enumerate(step_roles, 1):
            step = dict(id=self.ids[ApprovalStep].one(), chain_id=chain["id"], position=position, role=role,
                        status=ApprovalStep.Status.WAITING, decided_by_id=None, decided_at=None, comment="")
            self.rows.steps.append(step)
            if chain["status"] != ApprovalChain.Status.PENDING:
                continue
            decide_at = t + self.hours(1, 30)
            if decide_at > self.now:
                step["status"] = ApprovalStep.Status.PENDING
                chain["status"] = "open"  # the rest wait
                continue
            t = decide_at
            step.update(status=ApprovalStep.Status.APPROVED, decided_at=t, comment="同意。",
                        decided_by_id=self.approver(role, row["_unit"], worker).pk)
        if chain["status"] == "open":
            chain["status"] = ApprovalChain.Status.PENDING
            case.alive = False
            return None
        chain.update(status=ApprovalChain.Status.APPROVED, closed_at=t)
        if not case.step(t, "approve", State.APPROVED, None, comment="审批通过"):
            return None
        if amount:
            paid = t + self.hours(2, 48)
            if paid > self.now:
                case.alive = False
                return None
            finance = self.staff.pick(rng, row["_unit"], roles.FINANCE)
            self.rows.payments.append(dict(id=self.ids[Payment].one(), chain_id=chain["id"], complaint_id=row["id"],
                                           reference=f"FK{row['id']:010d}{chain['id'] % 100:02d}", amount=amount,
                                           paid_by_id=finance.pk, paid_at=paid))
            row["paid_at"] = t = paid
        t += self.hours(1, 48)
        if not case.step(t, "resolve", State.RESOLVED, worker, comment="已告知客户处理结果。"):
            return None
        row.update(resolution="已向客户告知处理结果，客户同意。", resolved_at=t)
        self._decided(row, t, worker)
        if row["reply_due"] is not None:
            self._replied(row, case, t + self.hours(0.5, 24), worker)
            if not case.alive:
                return None
        return self._revisit_and_archive(row, case, t, worker)

    def _revisit_and_archive(self, row, case, t, worker) -> dt.datetime | None:
        rng = self.rng
        t += self.hours(20, 120)
        reached = rng.random() < 0.93
        satisfied = (rng.random() < 0.9 or row["reopen_count"] > 0) if reached else None
        if not case.step(t, "revisit", State.REVISITED, worker, data={"reached": reached, "satisfied": satisfied}):
            return None
        row.update(revisit_reached=reached, revisit_satisfied=satisfied, revisited_at=t,
                   revisit_note="客户表示满意。" if satisfied else ("客户不满意。" if reached else "多次联系未接通。"))
        if satisfied is False:
            if case.step(t, "reopen", State.VERIFIED, worker, comment="客户回访不满意。"):
                row["state"] = State.REVISITED  # where the product's reopen starts from
                with clock.fixed_at(t):
                    self._replay(row, lambda c: reopened(c, reason="客户回访不满意。"))
                row["_reopened"] = True
            return t
        t += self.hours(24, 240)
        cause = rng.choice(ROOT_CAUSES)
        if row["source_body"] and row["replied_at"] is None:
            self._replied(row, case, t, worker)  # a forwarded case is archived only after its reply
        if case.step(t, "archive", State.ARCHIVED, worker, comment=cause):
            row.update(root_cause=cause, responsible_party="运营管理部", archived_at=t,
                       rectification="完善流程并开展培训" if rng.random() < 0.4 else "")
            return self._reviewed(row, case, worker)
        return None

    def _reviewed(self, row, case, worker) -> dt.datetime | None:
        """§8 核查: about one decision in fifty is reviewed by the unit above,
        within 30 days of its notice; a quarter of those change it, and the
        case comes back as the product's ``reopened`` sends it. Answers the time
        it came back, if it did."""
        rng, told = self.rng, row.get("_decision")
        if told is None or row["reopen_count"] or rng.random() >= 0.02:
            return None
        asked = told["at"] + dt.timedelta(days=rng.uniform(1, 28))
        if asked > self.now:
            return None
        unit = row["_unit"].parent or row["_unit"]
        reviewer = self.approver(roles.SUPERVISOR, unit, worker)
        review = dict(id=self.ids[Review].one(), complaint_id=row["id"], decision_notice_id=told["id"],
                      reason="客户对处理结果有异议，申请核查。", requested_at=asked, requested_by_id=worker.pk,
                      due=deadlines.end_of_calendar_day_after(asked, deadlines.REVIEW_WINDOW_DAYS),
                      owner_id=reviewer.pk, owner_unit_id=unit.pk, state=Review.State.OPEN, outcome="",
                      decided_by_id=None, decided_at=None, decision_reason="", created_at=asked)
        self.rows.reviews.append(review)
        case.step(asked, "review_request", case.state, worker, comment=review["reason"])
        decided = asked + dt.timedelta(days=rng.uniform(2, 26))
        if decided > self.now:
            row["review_due"] = review["due"]
            return None
        changed = rng.random() < 0.25
        review.update(state=Review.State.DECIDED, decided_by_id=reviewer.pk, decided_at=decided,
                      outcome=Review.Outcome.CHANGED if changed else Review.Outcome.UPHELD,
                      decision_reason="补偿标准偏低，予以变更。" if changed else "原处理决定适当，予以维持。")
        if not changed:
            case.step(decided, "review_upheld", case.state, reviewer, comment=review["decision_reason"])
            self.notice(row, NoticeKind.REVIEW_OUTCOME, decided, reviewer, NoticeChannel.LETTER)
            return None
        if not case.step(decided, "change_on_review", State.VERIFIED, reviewer, comment=review["decision_reason"]):
            return None
        row["state"] = State.ARCHIVED  # where the product's change starts from
        with clock.fixed_at(decided):
            self._replay(row, lambda c: reopened(c, reason="核查变更原处理决定", transition="change_on_review"))
        row["_reopened"] = True
        self.notice(row, NoticeKind.REVIEW_OUTCOME, decided, reviewer, NoticeChannel.LETTER)
        return decided

    def _replay(self, row: dict, change):
        """Apply one of the product's own changes (``change(complaint)``) to a
        row: as a Complaint in memory, its related objects those of the row,
        then the columns back into the row. Answers what ``change`` answered."""
        columns = {f.attname for f in Complaint._meta.concrete_fields}
        complaint = Complaint(**{k: v for k, v in row.items() if k in columns})
        complaint.org_unit, complaint.category = row["_unit"], row["_category"]
        complaint.owner = self._user(row["owner_id"])
        complaint.subject_agent = self._user(row["subject_agent_id"])
        with translation.override("zh-hans"):
            answer = change(complaint)
        row.update({k: getattr(complaint, k) for k in columns})
        return answer

    def _finish(self, row: dict, case: Case) -> None:
        """State, time in it, and what the sweep must watch (as if it had run)."""
        row["state"], row["state_entered_at"] = case.state, case.entered
        row["updated_at"] = case.entered
        probe = SimpleNamespace(**{k: row[k] for k in (
            "state", "first_callback_at", "received_at", "first_callback_due", "paused_at",
            "clock_started_at", "resolution_due", "contact_due", "failed_attempts", "promise_due", "notice_due",
            "revisit_due", "review_due", "reply_due", "replied_at")}, pk=row["id"])
        fired = [e for e in tracking.events(probe) if e.fire_at <= self.now]
        for event in fired:
            self.rows.alerts.append(dict(id=self.ids[Alert].one(), key=event.key(row["id"]),
                                         complaint_id=row["id"], created_at=event.fire_at))
        for event in fired:
            if event.kind == tracking.OVERDUE and event.deadline in tracking.BREACHES:  # what the sweep did
                entry = self._replay(row, lambda c, e=event: breached(c, e, now=e.due))
                self.rows.history.append(dict(
                    id=self.ids[HistoryEntry].one(), complaint_id=row["id"], transition=entry.transition,
                    from_state=entry.from_state, to_state=entry.to_state, by_id=None, at=entry.at,
                    comment=entry.comment, data=entry.data, seconds_in_from_state=None))
        tracking.refresh(probe, recorded={e.key(row["id"]) for e in fired}, now=self.now)
        row.update(next_due=probe.next_due, is_overdue=probe.is_overdue, next_check_at=probe.next_check_at)


# --- Driving it ------------------------------------------------------------------

def daily_counts(*, count: int, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """How many of ``count`` cases arrive on each day from start to end:
    volume grows over the years; weekdays are busier than weekends."""
    first = timezone.localtime(start).replace(hour=0, minute=0, second=0, microsecond=0)
    days = max((timezone.localtime(end) - first).days, 0) + 1
    weights = []
    for d in range(days):
        weekday = (first + dt.timedelta(days=d)).weekday()
        weights.append((0.6 + 0.8 * d / days) * (1.0 if weekday < 5 else 0.45))
    total, counts, carried = sum(weights), [], 0.0
    for d, weight in enumerate(weights):
        exact = count * weight / total + carried
        n = int(exact) if d < days - 1 else count - sum(counts)
        carried = exact - n
        counts.append(n)
    return [(first + dt.timedelta(days=d), n) for d, n in enumerate(counts) if n]


HOUR_WEIGHTS = [1, 1, 1, 1, 1, 1, 2, 4, 10, 14, 14, 12, 8, 10, 14, 14, 12, 10, 6, 5, 4, 3, 2, 1]


def received_times(rng: random.Random, day: dt.datetime, n: int, *, start: dt.datetime,
                   end: dt.datetime) -> list[dt.datetime]:
    """``n`` intake times on ``day`` in order, most of them in business hours."""
    hours = rng.choices(range(24), HOUR_WEIGHTS, k=n)
    return sorted(min(max(day + dt.timedelta(hours=h, minutes=rng.uniform(0, 60)), start), end) for h in hours)


def generate(*, count: int, years: float = 3, seed: int = 2026, now: dt.datetime | None = None,
             chunk: int = 10_000, all_open: bool = False, recent_days: int = 10, jobs: int = 1,
             progress: Callable[[int], None] = lambda n: None) -> dict[str, int]:
    """Write ``count`` cases, in ``jobs`` processes on PostgreSQL. ``all_open``:
    every case received in the last ``recent_days`` days and still open (for
    sweep benchmarks)."""
    now = now or clock.now()
    staff = build_organisation()
    start = now - (dt.timedelta(days=recent_days) if all_open else dt.timedelta(days=int(365 * years)))
    end = now - dt.timedelta(minutes=1)
    days = daily_counts(count=count, start=start, end=end)
    jobs = max(1, jobs) if connection.vendor == "postgresql" else 1
    # Contiguous runs of days with about the same number of cases each.
    shares, share, target = [], [], count / jobs
    for item in days:
        share.append(item)
        if sum(n for _, n in share) >= target and len(shares) < jobs - 1:
            shares.append(share)
            share = []
    shares.append(share)
    options = dict(staff=staff, now=now, all_open=all_open, chunk=chunk, start=start, end=end)
    if len(shares) == 1:
        written = _generate_days(days=shares[0], seed=seed, progress=progress, **options)
    else:
        written = _in_processes(shares, seed=seed, progress=progress, options=options)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Complaint, HistoryEntry, ContactAttempt, ApprovalChain, ApprovalStep, Payment, Alert,
                          Notice, Review):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return written


def _in_processes(shares, *, seed, progress, options) -> dict[str, int]:
    """One forked process per share of days; each reports progress and, at the
    end, its totals (or its error) on a queue it inherits."""
    connections.close_all()  # each process opens its own
    context = multiprocessing.get_context("fork")
    messages = context.Queue()
    processes = [context.Process(target=_job, args=(share, seed + i, messages, options), daemon=True)
                 for i, share in enumerate(shares)]
    for process in processes:
        process.start()
    totals, finished, errors = defaultdict(int), 0, []
    while finished < len(processes):
        kind, payload = messages.get()
        if kind == "progress":
            progress(payload)
        elif kind == "done":
            finished += 1
            for name, n in payload.items():
                totals[name] += n
        else:
            finished += 1
            errors.append(payload)
    for process in processes:
        process.join()
    if errors:
        raise RuntimeError("generation failed in a worker process:\n" + "\n".join(errors))
    return dict(totals)


def _job(share, seed, messages, options) -> None:
    try:
        written = _generate_days(days=share, seed=seed, progress=lambda n: messages.put(("progress", n)),
                                 **options)
        messages.put(("done", written))
    except BaseException:  # reported to the parent, which raises
        messages.put(("error", traceback.format_exc()))


def _generate_days(*, days, seed, progress, staff, now, all_open, chunk, start, end) -> dict[str, int]:
    rng = random.Random(seed)
    gen = Generator(staff=staff, rng=rng, now=now, all_open=all_open)
    written = defaultdict(int)
    pending: list[tuple[dt.datetime, int]] = []

    def flush_days():
        with transaction.atomic():
            for day, n in pending:
                numbers = reserve_numbers(day.date(), n)
                for moment, number in zip(received_times(rng, day, n, start=start, end=end), numbers, strict=True):
                    row = gen.complaint(moment, number)
                    gen.life(row)
                    gen.rows.complaints.append(row)
            _flush(gen.rows, written)
        progress(sum(n for _, n in pending))
        gen.rows = Rows()
        pending.clear()

    # Each role's holders are read once: the fewest-open-cases balancing of
    # intake means nothing while cases are written in bulk, and recounting for
    # each of a million cases would take hours.
    with holders_remembered():
        for day, n in days:
            pending.append((day, n))
            if sum(k for _, k in pending) >= chunk:
                flush_days()
        if pending:
            flush_days()
    return dict(written)


def _flush(rows: Rows, written: dict) -> None:
    columns = {f.attname for f in Complaint._meta.concrete_fields}
    complaints = [{k: v for k, v in row.items() if k in columns} for row in rows.complaints]
    for model, batch in ((Complaint, complaints), (HistoryEntry, rows.history), (ContactAttempt, rows.contacts),
                         (ApprovalChain, rows.chains), (ApprovalStep, rows.steps), (Payment, rows.payments),
                         (Alert, rows.alerts), (Notice, rows.notices), (Review, rows.reviews)):
        write(model, batch)
        written[model._meta.model_name] += len(batch)
    # Their sketches (issue 19), checked for near-duplicates already: the generator writes no batches.
    write(Likeness, [{"complaint_id": row["id"], "checked_at": row["received_at"], "sketch": likeness.sketch(
        likeness.text_of(reason=row["reason"], request=row["request"], narrative=row["narrative"]))}
        for row in rows.complaints])
