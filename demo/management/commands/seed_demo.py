"""python manage.py seed_demo — demo units, one user per role, sample complaints.

Idempotent: users and units are brought to the demo state on every run; the
sample complaints are written once (they are never deleted).
"""

import datetime as dt
import os
import random
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import roles
from accounts.models import OrgUnit, User
from accounts.services import org_unit_save, roles_sync
from approvals import services as approval_services
from approvals.models import ApprovalStep
from complaints import services
from complaints.models import Complaint, ContactAttempt, Level, SensitiveIdentity
from config import clock

DEMO_MARK = "DEMO-"
UNITS = [("HQ", "总公司", "hq", None), ("GD", "广东分公司", "branch", "HQ"), ("FJ", "福建分公司", "branch", "HQ")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平"]
REGIONS = {"GD": ["广州市", "深圳市", "佛山市", "东莞市"], "FJ": ["福州市", "厦门市", "泉州市", "漳州市"]}

#   category, reason, request, narrative, claim, issue tag
SAMPLES = [
    ("I-2", "积分兑换的电饭煲迟迟未发货", "尽快发货或退回积分", "客户10天前用积分兑换电饭煲，物流信息一直未更新，多次联系商户无果。", None, "电饭煲兑换"),
    ("I-6", "消费积分未按时到账", "补发积分", "客户称上月信用卡消费积分应于本月5日到账，至今未到。", None, "积分到账"),
    ("I-4", "兑换后商品降价，要求补差价", "退还差价", "客户兑换的蓝牙耳机三天后在活动中降价200积分。", Decimal("200.00"), ""),
    ("I-8", "活动优惠低于宣传", "按宣传兑现优惠", "宣传页写明满减50元，实际结算只减20元。", Decimal("30.00"), "双十一活动"),
    ("II-A", "商户店员态度恶劣", "商户道歉", "客户到合作商户核销权益，店员言语粗鲁并拒绝服务。", None, "合作商户A"),
    ("III-A", "商户拒绝兑换已购权益", "兑现权益或全额退款", "客户持有效权益券到店，商户称活动已结束拒绝兑换。", Decimal("1200.00"), "合作商户A"),
    ("INS-MISSELL", "银行网点销售人员称保险产品保本高收益", "全额退保", "客户在银行网点购买分红险，销售人员口头承诺年化收益5%，实际分红远低于承诺。", Decimal("50000.00"), "分红险A款"),
    ("INS-CLAIMS", "理赔超过30天仍未结案", "尽快赔付", "客户住院理赔资料已于上月提交齐全，至今未收到赔款。", Decimal("8600.00"), ""),
    ("INS-SURRENDER", "退保金额与预期不符", "按已交保费全额退还", "客户投保两年后退保，现金价值远低于已交保费。", Decimal("23000.00"), ""),
    ("INS-SIGNATURE", "投保单非本人签名", "撤销保单并退还保费", "客户称投保单上签名非本人所签，系业务员代签。", Decimal("12000.00"), ""),
    ("PROP-CONSTRUCTION", "新房墙面大面积渗水", "维修并赔偿损失", "交房三个月后客厅墙面渗水，木地板泡坏。", Decimal("6800.00"), "阳光花园二期"),
    ("PROP-SERVICE", "物业维修响应慢", "一周内修好", "报修电梯故障五天无人处理。", None, ""),
    ("INS-UNDERWRITING", "投保后两周未出单", "尽快承保", "客户两周前提交投保资料，迟迟未收到保单。", None, ""),
    ("I-1", "兑换的会员权益无法使用", "换货或退回积分", "视频会员兑换码提示已失效。", None, "视频会员"),
    ("OTHER", "营业厅排队时间过长", "增加窗口", "客户在网点等候一个半小时。", None, ""),
    # The group's bank line (§3: banks' business categories).
    ("BANK-WEALTH", "代销理财产品亏损，销售时称保本", "赔偿本金损失", "客户在网点购买代销基金，客户经理称保本保收益，现亏损12%。", Decimal("18000.00"), "稳健理财A款"),
    ("BANK-CREDIT-CARD", "信用卡年费未告知即扣收", "退还年费", "客户办卡时被告知免年费，今年账单扣收年费600元。", Decimal("600.00"), "信用卡年费"),
    ("BANK-FRAUD", "信用卡被盗刷三笔境外消费", "冻结卡片并退还被盗刷款项", "客户卡片在身边，凌晨收到三笔境外消费短信，合计9800元。", Decimal("9800.00"), ""),
    ("BANK-LOAN", "提前还房贷被要求支付违约金", "免收违约金", "合同约定满三年可免违约金提前还款，网点仍要求收取。", Decimal("3000.00"), ""),
    ("BANK-EBANKING", "手机银行转账失败但已扣款", "退回款项", "客户通过手机银行转账，提示失败，账户却已扣款5000元。", Decimal("5000.00"), "手机银行"),
]
# The cause (投诉原因, §3) a clerk or handler would give each sample's category.
CAUSES = {
    "I-2": "PROCESS", "I-6": "PROCESS", "I-4": "PRICING", "I-8": "MARKETING", "II-A": "SERVICE",
    "III-A": "CONTRACT", "INS-MISSELL": "MARKETING", "INS-CLAIMS": "CLAIMS-COUNTER-SPEED",
    "INS-SURRENDER": "CONTRACT", "INS-SIGNATURE": "UNDERWRITING-EXPLAIN", "PROP-CONSTRUCTION": "SERVICE",
    "PROP-SERVICE": "SERVICE", "INS-UNDERWRITING": "UNDERWRITING", "I-1": "SERVICE", "OTHER": "OTHER",
    "BANK-WEALTH": "MARKETING", "BANK-CREDIT-CARD": "PRICING", "BANK-FRAUD": "PRIVACY", "BANK-LOAN": "CONTRACT",
    "BANK-EBANKING": "PROCESS",
}
STATES = ["received", "received", "verified", "verified", "proposed", "approved", "resolved",
          "revisited", "archived", "archived", "archived", "invalid", "on_spot"]


class Command(BaseCommand):
    help = "Create the demo organisation, users (one per role) and sample complaints."

    def add_arguments(self, parser):
        parser.add_argument("--complaints", type=int, default=40, help="sample complaints to write")

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD", "Demo-2026!")
        with transaction.atomic():
            roles_sync()
            units = self._units()
            users = self._users(units, password)
        self.stdout.write(f"Units: {', '.join(units)}; users: {len(users)} (password from DEMO_PASSWORD).")
        if Complaint.objects.filter(product_ref__startswith=DEMO_MARK).exists():
            self.stdout.write("Sample complaints already present; left as they are.")
            return
        written = self._complaints(users, options["complaints"])
        self.stdout.write(self.style.SUCCESS(f"Wrote {written} sample complaints."))

    def _units(self) -> dict[str, OrgUnit]:
        units = {}
        for code, name, kind, parent in UNITS:
            unit = OrgUnit.objects.filter(code=code).first() or OrgUnit(code=code)
            unit.name, unit.kind, unit.parent = name, kind, units.get(parent)
            units[code] = org_unit_save(unit=unit)
        return units

    def _user(self, username, unit, role, password, *, superuser=False, name=""):
        user = User.objects.filter(username=username).first() or User(username=username)
        user.org_unit, user.is_active, user.is_staff = unit, True, True
        user.is_superuser = superuser
        user.last_name, user.first_name = (name[:1], name[1:]) if name else ("", "")
        user.email = f"{username}@example.com"
        user.set_password(password)
        user.save()
        if role:
            user.groups.set([roles_group(role)])
        return user

    def _users(self, units, password) -> dict[str, User]:
        users = {"admin": self._user("admin", units["HQ"], None, password, superuser=True, name="系统管理员")}
        rng = random.Random(7)
        for code in ("GD", "FJ"):
            for role in roles.BRANCH_ROLES:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                users[f"{role}_{code.lower()}"] = self._user(f"{role}_{code.lower()}", units[code], role,
                                                              password, name=name)
            supervisor = users[f"supervisor_{code.lower()}"]
            for role in (roles.HANDLER, roles.SENIOR_AGENT, roles.FRONT_DESK):
                agent = users[f"{role}_{code.lower()}"]
                agent.supervisor = supervisor
                agent.save(update_fields=["supervisor"])
        for role in roles.APPROVERS:
            users[f"{role}_hq"] = self._user(f"{role}_hq", units["HQ"], role, password,
                                             name=rng.choice(SURNAMES) + rng.choice(GIVEN))
        # Head office's own supervisor and cs_manager: they review the branches' decisions (§8 核查)
        # and grant extensions beyond 30 days (§4).
        for role in (roles.SUPERVISOR, roles.CS_MANAGER):
            users[f"{role}_hq"] = self._user(f"{role}_hq", units["HQ"], role, password,
                                             name=rng.choice(SURNAMES) + rng.choice(GIVEN))
        return users

    def _complaints(self, users, count) -> int:
        rng = random.Random(2026)
        now = clock.now()
        written = 0
        for i in range(count):
            unit = "GD" if i % 3 else "FJ"
            u = lambda role: users[f"{role}_{unit.lower()}"]  # noqa: E731
            category, reason, request, narrative, claim, tag = SAMPLES[i % len(SAMPLES)]
            state = STATES[i % len(STATES)]
            days_ago = rng.randint(0, 3) if state == "received" else rng.randint(3, 85)
            received = (now - dt.timedelta(days=days_ago, hours=rng.randint(0, 8))).replace(second=0, microsecond=0)
            logger = u(roles.FRONT_DESK) if i % 2 else u(roles.HANDLER)
            forwarded = i % 7 == 3  # every seventh forwarded by the regulator, with its deadline (§8)
            intake = services.Intake(
                channel="regulator" if forwarded else rng.choice(
                    ["walk_in", "phone", "phone", "bank_branch", "email", "online"]),
                source_body="nfra" if forwarded else "",
                source_reference=f"{unit}JR-2026-{i + 1:04d}" if forwarded else "",
                reply_due=received + dt.timedelta(days=10) if forwarded else None,
                complainant_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                complainant_phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                complainant_gender=rng.choice("MF"), customer_type=rng.choice(["new", "existing"]),
                complainant_region=rng.choice(REGIONS[unit]), is_vip=(i % 11 == 5),
                sensitive_identity=SensitiveIdentity.MEDIA if i % 17 == 8 else SensitiveIdentity.NONE,
                # the cause may wait until verification (§3): some received cases have none yet
                category=category, cause="" if state == "received" and i % 2 else CAUSES[category],
                reason=reason, request=request, narrative=narrative,
                issue_tag=tag, claim_amount=claim, product_ref=f"{DEMO_MARK}{i + 1:04d}",
                received_at=received,
            )
            with clock.fixed_at(received):  # sample timelines read true
                complaint = services.complaint_submit(by=logger, intake=intake)
            self._advance(complaint, state, claim, users, unit, received, rng)
            written += 1
        self._review(users)
        return written

    def _review(self, users):
        """One archived branch case whose customer asked for a review (§8 核查): it waits in
        head office's review queue."""
        told = (Complaint.objects.filter(state="archived", org_unit__code="GD", notices__kind="decision",
                                         notices__at__gte=clock.now() - dt.timedelta(days=25))
                .order_by("-archived_at").first())
        if told is not None:
            services.review_request(complaint_id=told.pk, by=users["front_desk_gd"],
                                    reason="客户对补偿金额不满意，申请上级机构核查。")

    def _advance(self, complaint, target, claim, users, unit, received, rng):
        u = lambda role: users[f"{role}_{unit.lower()}"]  # noqa: E731
        step = [received]

        def later(hours):
            step[0] = step[0] + dt.timedelta(hours=hours)
            return clock.fixed_at(min(step[0], clock.now()))

        pk = complaint.pk
        worker = complaint.owner or u(roles.HANDLER)
        if target == "received":
            return
        if target == "on_spot":
            if complaint.level == Level.I:
                with later(0.2):
                    services.complaint_resolve_on_spot(complaint_id=pk, by=complaint.first_receiver,
                                                       resolution="当场向客户解释规则并致歉，客户表示接受。",
                                                       notice={"channel": "in_person"})
            return
        with later(2):
            services.contact_record(complaint_id=pk, by=worker, outcome=ContactAttempt.Outcome.REACHED, note="已联系客户，了解诉求。")
        if complaint.reply_due is not None:
            with later(3):
                services.complaint_reply_to_body(complaint_id=pk, by=worker,
                                                 summary="已联系客户并核实情况，向监管报送处理进展。")
        if target == "invalid":
            with later(3):
                services.complaint_invalidate(complaint_id=pk, by=worker,
                                              reason="经核实，客户所述情况不属实，已电话告知客户。",
                                              notice={"channel": "phone"})
            return
        with later(5):
            services.complaint_verify(complaint_id=pk, by=worker, responsible_department="运营管理部",
                                      comment="调取录音与订单记录，情况属实。")
        if target == "verified":
            return
        amount = claim if claim is not None else Decimal("0.00")
        with later(24):
            approval_services.complaint_propose(complaint_id=pk, by=worker, remedy="向客户致歉并按诉求补偿。",
                                                amount=amount)
        if target == "proposed":
            return
        for approval in ApprovalStep.objects.filter(chain__complaint_id=pk).order_by("position"):
            role = approval.role
            approver = u(role) if role == roles.SUPERVISOR else users[f"{role}_hq"]
            if approver == worker:  # nobody approves their own proposal
                approver = users["admin"]
            with later(6):
                approval_services.step_approve(step_id=approval.pk, by=approver, comment="同意。")
        if target == "approved":
            return
        if amount:
            with later(4):
                approval_services.payment_record(complaint_id=pk, by=u(roles.FINANCE),
                                                  reference=f"FK{pk:08d}", amount=amount)
        with later(20):
            services.complaint_resolve(complaint_id=pk, by=worker, resolution="已向客户告知处理结果，客户同意。",
                                       notice={"channel": "phone"})
        if target == "resolved":
            return
        with later(48):
            services.complaint_revisit(complaint_id=pk, by=worker, reached=True,
                                       satisfied=rng.random() > 0.15, note="回访客户，对处理结果表示认可。")
        if target == "revisited" or Complaint.objects.get(pk=pk).state != "revisited":
            return
        with later(24):
            services.complaint_archive(complaint_id=pk, by=worker, root_cause="商户履约管理不到位。",
                                       responsible_party="运营管理部", rectification="加强商户考核与巡检。")


def roles_group(role):
    return Group.objects.get(name=role)
