"""Job kinds of the registry import."""

from fangpin.core.jobs import register
from fangpin.registry.importing.services import run_apply_job, run_validate_job

register("registry.import.validate")(run_validate_job)
register("registry.import.apply")(run_apply_job)
