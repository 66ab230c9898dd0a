"""The only code of the data-feed app that writes, one module per job: `runs` (upload, job, the
run that compares a file and writes its results), `review` (the clerical review queue), `rules`
(seed, switch, edit, preview), `outcomes` (warnings → clues, outcomes synced back).  What views,
the API, commands and tests call is re-exported here."""

from fangpin.datafeeds.services.outcomes import raise_clues, warning_sync_outcomes
from fangpin.datafeeds.services.review import queue_review_pairs, review_decide
from fangpin.datafeeds.services.rules import rule_preview, rule_set_enabled, rule_update, rules_seed
from fangpin.datafeeds.services.runs import JOB_KIND, feed_run_create, feed_run_execute, run_feed_job

__all__ = [
    "JOB_KIND",
    "feed_run_create",
    "feed_run_execute",
    "queue_review_pairs",
    "raise_clues",
    "review_decide",
    "rule_preview",
    "rule_set_enabled",
    "rule_update",
    "rules_seed",
    "run_feed_job",
    "warning_sync_outcomes",
]
