"""Seed the shipped rule templates after migrate (like the policy defaults)."""

from __future__ import annotations

from typing import Any

from fangpin.datafeeds.services import rules_seed


def seed_rule_templates(sender: Any, using: str = "default", **kwargs: Any) -> None:
    rules_seed()
