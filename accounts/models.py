from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgUnit(models.Model):
    """An organisation unit: 总公司 → 分公司 → 支公司/网点 (docs/rules.md §1).

    ``path`` is the materialised chain of codes from the root ("/HQ/GD/"), so
    "this unit and every unit below it" is one indexed prefix match.
    """

    class Kind(models.TextChoices):
        HQ = "hq", _("Head office")
        BRANCH = "branch", _("Branch")
        SUB_BRANCH = "sub_branch", _("Sub-branch / outlet")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    # Serves OrgUnit.objects.filter(path__startswith=...) in scoping.
    path = models.CharField(_("path"), max_length=500, unique=True, editable=False)

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        if self.code and ("/" in self.code or not self.code.strip()):
            raise ValidationError({"code": _("A unit code may not contain '/'.")})
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A unit cannot be placed below itself.")})
            ancestor = ancestor.parent

    def computed_path(self) -> str:
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.code}/"

    def ancestors(self) -> list["OrgUnit"]:
        """This unit's chain upwards, nearest first, itself excluded."""
        chain, unit = [], self.parent
        while unit is not None:
            chain.append(unit)
            unit = unit.parent
        return chain


class User(AbstractUser):
    """A member of staff. Belongs to one organisation unit; roles are groups."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("organisation unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="members",
    )
    supervisor = models.ForeignKey(
        "self", verbose_name=_("direct supervisor"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="reports",
        help_text=_("Receives complaints about this agent's attitude (II-B)."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return f"{self.display_name} ({self.username})" if self.last_name or self.first_name else self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(roles))

    def get_full_name(self) -> str:
        """Chinese order: family name first, no space (王芳)."""
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
