"""The levels of the area tree, down in core because scoping and the roles table need them
and core imports no app (docs/architecture.md, "Apps and their stack"). [DOMAIN §2.1]"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县")
    TOWNSHIP = "township", _("乡镇")
    VILLAGE = "village", _("村")
    GRID = "grid", _("网格")
