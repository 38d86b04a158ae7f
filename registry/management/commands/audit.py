"""``registry audit <subcommand>``: verify, checkpoint, report, anomalies, yearly, export (see registry/audit/cli)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from registry.audit.cli import subcommands


class Command(BaseCommand):
    help = "Kiểm tra, ký và báo cáo nhật ký sử dụng tài liệu mật."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        for name, module in subcommands().items():
            p = sub.add_parser(name, help=getattr(module, "HELP", ""))
            module.add_arguments(p)

    def handle(self, *args, **options):
        module = subcommands().get(options["subcommand"])
        if module is None:
            raise CommandError(f"unknown subcommand {options['subcommand']}")
        code = module.run(options, out=self.stdout)
        if code:
            sys.exit(code)
