"""``registry worker [--beat] [--concurrency N] [--loglevel L]``: a Celery worker for the registry's tasks.

Needs ``REGISTRY_TASKS=celery`` and ``CELERY_BROKER_URL`` (Redis). ``--beat`` also runs the scheduler
(fixity every REGISTRY_FIXITY_SCHEDULE_HOURS, the lifecycle run hourly); in a larger deployment run one
``registry worker --beat-only`` (the scheduler) next to as many workers as needed.
"""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Chạy tiến trình xử lý tác vụ nền (Celery)."

    def add_arguments(self, parser):
        parser.add_argument("--beat", action="store_true", help="chạy cả bộ lập lịch trong tiến trình này")
        parser.add_argument("--beat-only", action="store_true", help="chỉ chạy bộ lập lịch")
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument("--pool", default="prefork")

    def handle(self, *args, **options):
        from registry.celery import app

        if options["beat_only"]:
            app.Beat(loglevel=options["loglevel"]).run()
            return
        argv = ["worker", f"--loglevel={options['loglevel']}", f"--concurrency={options['concurrency']}",
                f"--pool={options['pool']}"]
        if options["beat"]:
            argv.append("--beat")
        app.worker_main(argv)
