"""Monitoring services: the only code that writes monitoring tables."""

from fangpin.monitoring.services.episodes_measures import ImplementedMeasure, episode_record_measures

__all__ = ["ImplementedMeasure", "episode_record_measures"]
