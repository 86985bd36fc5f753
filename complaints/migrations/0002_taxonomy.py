"""Seed the complaint taxonomy of docs/rules.md §3 (seeds 000, 002, 003)."""

from django.db import migrations

#  code, name, domain, level, owner rule, callback rule, notify role, flags
ROWS = [
    ("I-1", "产品质量（实体/虚拟商品、权益服务）", "points", "I", "first_receiver", "t1", "", {}),
    ("I-2", "售后服务（配送、发票、错发、拒绝退换等）", "points", "I", "first_receiver", "t1", "", {}),
    ("I-3", "商户强行推销", "points", "I", "first_receiver", "t1", "", {}),
    ("I-4", "差价", "points", "I", "first_receiver", "t1", "", {}),
    ("I-5", "账户冻结（安全或风控原因）", "points", "I", "first_receiver", "t1", "", {}),
    ("I-6", "积分/权益延迟到账", "points", "I", "first_receiver", "t1", "", {}),
    ("I-7", "积分/权益短期失效", "points", "I", "first_receiver", "t1", "", {}),
    ("I-8", "营销活动（参与资格、优惠低于预期）", "points", "I", "first_receiver", "t1", "", {}),
    ("I-9", "规则/公告中已公示的其他事项", "points", "I", "first_receiver", "t1", "", {}),
    ("II-A", "商户人员服务态度", "points", "II", "first_receiver", "t1", "merchant_ops", {}),
    ("II-B", "本公司坐席服务态度", "general", "II", "agent_supervisor", "same_day", "",
     {"requires_agent": True, "counts_against_agent": True}),
    ("II-C", "本公司坐席处理效率", "general", "II", "senior_agent", "same_day", "", {}),
    ("III-A", "商户侵权（拒绝兑换、误导消费）", "points", "III", "first_receiver", "t1", "merchant_ops", {}),
    ("III-B", "账户安全（盗用、资料篡改、诈骗）", "general", "III", "risk_control", "t2", "",
     {"freeze_account_first": True}),
    ("III-C", "升级投诉或重要会员投诉", "general", "III", "supervisor", "same_day", "", {}),
    ("URG", "紧急投诉", "general", "urgent", "supervisor", "3h", "", {"selectable": False}),
    ("INS-MISSELL", "销售误导", "insurance", "I", "first_receiver", "t1", "", {}),
    ("INS-TERMS", "保险条款", "insurance", "I", "first_receiver", "t1", "", {}),
    ("INS-SIGNATURE", "代签名", "insurance", "I", "first_receiver", "t1", "", {}),
    ("INS-STAFF", "服务人员", "insurance", "I", "first_receiver", "t1", "", {}),
    ("INS-SERVICE", "服务项目", "insurance", "I", "first_receiver", "t1", "", {}),
    ("INS-UNDERWRITING", "承保时效", "insurance", "I", "first_receiver", "t1", "", {}),
    ("INS-POLICY-CHANGE", "保全时效", "insurance", "I", "first_receiver", "t1", "", {}),
    ("INS-CLAIMS", "理赔时效", "insurance", "I", "first_receiver", "t1", "", {}),
    ("INS-RETURNS", "分红/现金价值（投资收益预期）", "insurance", "I", "first_receiver", "t1", "", {}),
    ("INS-SURRENDER", "退保", "insurance", "I", "first_receiver", "t1", "", {}),
    ("PROP-CONSTRUCTION", "工程质量", "property", "I", "first_receiver", "t1", "", {}),
    ("PROP-SERVICE", "服务质量", "property", "I", "first_receiver", "t1", "", {}),
    ("OTHER", "其他", "general", "I", "first_receiver", "t1", "", {}),
]


def seed(apps, schema_editor):
    Category = apps.get_model("complaints", "Category")
    for order, (code, name, domain, level, owner, callback, notify, flags) in enumerate(ROWS, 1):
        Category.objects.update_or_create(code=code, defaults=dict(
            name=name, domain=domain, level=level, owner_rule=owner, callback_rule=callback,
            notify_role=notify, sort_order=order * 10, **flags,
        ))


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
