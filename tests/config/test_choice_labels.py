"""config/patches.py ChoiceLabels: get_FOO_display() gives Django's own label for every
choice of every field of the models that mix it in, in Chinese and English,
while translating one label per call instead of every label of the field."""

from unittest import mock

import pytest
from django.db import models
from django.utils import translation

from approvals.models import ApprovalChain, ApprovalStep
from complaints.models import Attachment, Category, Complaint, ContactAttempt
from config.patches import ChoiceLabels
from dashboards.models import RectificationItem
from escalation.models import Notification

MODELS = [Complaint, Category, ContactAttempt, Attachment, ApprovalChain, ApprovalStep, Notification,
          RectificationItem]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_choice_label_is_djangos_own(model, language):
    assert issubclass(model, ChoiceLabels)
    fields = [f for f in model._meta.concrete_fields if f.choices]
    assert fields, f"{model.__name__} has no field with choices"
    with translation.override(language):
        for field in fields:
            for value, _label in field.flatchoices:
                obj = model(**{field.attname: value})
                assert obj._get_FIELD_display(field) == models.Model._get_FIELD_display(obj, field), (field, value)
            unknown = model(**{field.attname: "no-such-value"})
            assert unknown._get_FIELD_display(field) == "no-such-value"


def test_a_label_costs_one_translation_not_one_per_choice():
    step = ApprovalStep(role="supervisor")
    field = ApprovalStep._meta.get_field("role")
    assert len(field.flatchoices) > 5
    step.get_role_display()  # the field's labels dict is built once
    with translation.override("zh-hans"), mock.patch("django.utils.translation._trans.gettext",
                                                     wraps=translation._trans.gettext) as gettext:
        label = step.get_role_display()
    assert label and label != "supervisor"
    assert gettext.call_count == 1
