"""`fangpin demo-setup` gives every role a login bound to an area of the role's level."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from fangpin.accounts.models import User
from fangpin.core.roles import ROLE_LEVELS, Role


@pytest.mark.django_db(transaction=True)
def test_the_demo_county_has_a_login_for_every_role_including_the_province_admin(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path)
    call_command("demo_setup", households=120, seed=3, verbosity=0)
    logins = json.loads((Path(tmp_path) / "demo_logins.json").read_text())
    assert set(logins) == set(Role.values)
    for username, password in logins.items():
        user = User.objects.get(username=username)
        assert user.check_password(password)
        assert user.area.level in ROLE_LEVELS[user.role]
    assert User.objects.get(username="province_admin").area.name.endswith("省")
