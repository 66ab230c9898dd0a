"""Job kinds of the data-feed app."""

from fangpin.core.jobs import register
from fangpin.datafeeds.services import JOB_KIND, run_feed_job

register(JOB_KIND)(run_feed_job)
