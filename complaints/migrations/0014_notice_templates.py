"""The default words of each kind of notice (docs/rules.md §8), in Chinese;
administrators edit them in the admin. ``{name}`` placeholders are filled from
the case (complaints/notices.py: values_for)."""

from django.db import migrations

TEMPLATES = {
    "acknowledgement": "尊敬的{name}：您的投诉已受理，受理号{number}。我们将于{callback_due}前与您联系，"
                       "并在{resolution_due}前告知处理结果。",
    "invalid": "尊敬的{name}：您的投诉（受理号{number}）经核实不予处理，原因：{reason}。如有异议，您可自收到本通知"
               "之日起30日内向{review_unit}申请核查，也可申请调解，或拨打12378银行保险消费者投诉维权热线反映。",
    "extension": "尊敬的{name}：您的投诉（受理号{number}）因{reason}需延长处理时限，我们将于{resolution_due}前"
                 "告知您处理结果。",
    "pause": "尊敬的{name}：您的投诉（受理号{number}）因{reason}暂停计算处理时限，鉴定或调解期间不计入时限，"
             "恢复处理时我们将告知您。",
    "resume": "尊敬的{name}：您的投诉（受理号{number}）已恢复处理，我们将于{resolution_due}前告知您处理结果。",
    "decision": "尊敬的{name}：您的投诉（受理号{number}）处理决定如下：{resolution}。{remedy_amount}如对本决定有异议，您可自收到"
                "本决定之日起30日内向{review_unit}申请核查；也可向金融消费纠纷调解组织申请调解，或拨打12378银行"
                "保险消费者投诉维权热线向监管部门反映。",
    "review_outcome": "尊敬的{name}：您就投诉（受理号{number}）提出的核查申请，经{review_unit}核查，结论为：{outcome}。"
                      "{reason}",
    "other": "尊敬的{name}：关于您的投诉（受理号{number}）：{reason}",
}


def seed(apps, schema_editor):
    NoticeTemplate = apps.get_model("complaints", "NoticeTemplate")
    for kind, text in TEMPLATES.items():
        NoticeTemplate.objects.get_or_create(kind=kind, defaults={"text": text})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0013_customer_and_regulator")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
