from django.core.management.base import BaseCommand

from fangpin.core.jobs import job_run


class Command(BaseCommand):
    help = "运行一个后台任务（由页面启动的任务使用）"

    def add_arguments(self, parser):
        parser.add_argument("job_id", type=int)

    def handle(self, *args, job_id: int, **opts):
        job = job_run(job_id)
        self.stdout.write(f"job {job.pk}: {job.status} {job.message}")
