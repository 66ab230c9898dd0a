"""The area tree: province > city > county > township > village > grid. [DOMAIN §2.1]"""

from __future__ import annotations

from itertools import pairwise

from django.db import models
from django.utils.translation import gettext_lazy as _

from fangpin.core.arealevel import AreaLevel

# Significant leading digits of the 12-digit statistical code at each level;
# a grid extends its village's code with three more digits.
PREFIX_LENGTH = {
    AreaLevel.PROVINCE: 2,
    AreaLevel.CITY: 4,
    AreaLevel.COUNTY: 6,
    AreaLevel.TOWNSHIP: 9,
    AreaLevel.VILLAGE: 12,
    AreaLevel.GRID: 15,
}
LEVEL_ORDER = list(PREFIX_LENGTH)
PARENT_LEVEL = {child: parent for parent, child in pairwise(LEVEL_ORDER)}


class Area(models.Model):
    code = models.CharField(_("区划代码"), max_length=15, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_exited_village = models.BooleanField(_("脱贫村（出列村）"), default=False)
    is_key_assisted_village = models.BooleanField(_("乡村振兴重点帮扶村"), default=False)
    is_relocation_site = models.BooleanField(_("易地搬迁安置区"), default=False)
    is_exited_county = models.BooleanField(_("脱贫县"), default=False)
    is_national_key_county = models.BooleanField(_("国家乡村振兴重点帮扶县"), default=False)
    is_provincial_key_county = models.BooleanField(_("省级乡村振兴重点帮扶县"), default=False)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return self.code[: PREFIX_LENGTH[AreaLevel(self.level)]]

    def contains(self, other: Area) -> bool:
        return other.code.startswith(self.prefix) and (self.level != AreaLevel.GRID or other.code == self.code)

    def ancestors(self) -> list[Area]:
        """Root first; one query per level at most (the tree is six deep)."""
        chain: list[Area] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    @property
    def full_name(self) -> str:
        names = [a.name for a in self.ancestors() if a.level not in (AreaLevel.PROVINCE, AreaLevel.CITY)]
        return "".join([*names, self.name])
