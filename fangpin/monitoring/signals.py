"""The plugin points monitoring offers to the apps above it (docs/architecture.md, "Apps and their
stack"): monitoring sends, the app above connects a receiver in its AppConfig.ready(), so the
arrow stays downward."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `fangpin monitoring-sweep` after the sweep, with `write` (one line of console output).
# reports connects its KPI summary refresh, so the day's figures include what the sweep changed.
sweep_done = Signal()
