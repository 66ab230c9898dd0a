from django.core.management.base import BaseCommand

from fangpin.core.jobs import worker_loop


class Command(BaseCommand):
    help = "持续运行排队中的后台任务（FANGPIN_JOB_MODE=worker 时使用）"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="运行完当前排队的任务后退出")

    def handle(self, *args, once: bool = False, **opts):
        worker_loop(once=once)
