"""Job kinds of the registry import."""

from fangpin.core.jobs import register
from fangpin.registry.importing.services import import_job_failed, run_apply_job, run_validate_job

register("registry.import.validate", on_failure=import_job_failed)(run_validate_job)
register("registry.import.apply", on_failure=import_job_failed)(run_apply_job)
