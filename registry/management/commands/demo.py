"""``registry demo``: load the demo office (people of every clearance, storage places, congress documents)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from registry.demo import catalogue
from registry.demo.loader import load_demo


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu: người dùng các mức tiếp cận, nơi lưu trữ, tài liệu Đại hội."

    def add_arguments(self, parser):
        parser.add_argument("--no-migrate", action="store_true", help="do not run migrations first")
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")

    def handle(self, *args, **options):
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        load_demo(out=self.stdout.write)
        if not options["quiet_logins"]:
            self.stdout.write("Tài khoản mẫu (mật khẩu chung: %s):" % catalogue.DEMO_PASSWORD)
            for username, full_name, role, clearance, unit in catalogue.PEOPLE:
                self.stdout.write(f"  {username:<16} {role:<8} mức {clearance:<10} {full_name}")
