"""What the policy app announces to the apps above it (they connect; policy imports none of them)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that changed a year's holiday schedule, with area (None = national),
# years (set[int]) and actor. Each receiver recomputes the open deadlines it owns and returns how
# many objects moved: the engine's machines (fangpin.monitoring connects deadlines_recompute).
calendar_changed = Signal()
