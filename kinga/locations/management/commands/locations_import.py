"""kinga locations_import FILE --user LOGIN [--strategy insert_update] [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kinga.core.errors import Refused
from kinga.core.models import User
from kinga.locations import imports, services


class Command(BaseCommand):
    help = "Import locations from an openIMIS XML, JSON or CSV file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="login of the user who imports")
        parser.add_argument("--strategy", choices=services.STRATEGIES, default="insert_update")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, file: Path, user: str, strategy: str, dry_run: bool, **options):
        actor = User.objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"No user {user!r}.")
        fmt = imports.format_of(file.name)
        if fmt is None:
            raise CommandError("The file must end in .xml, .json or .csv.")
        try:
            rows = imports.read_rows(file.read_bytes(), fmt)
            report = services.location_import(
                actor=actor, rows=rows, strategy=strategy, dry_run=dry_run
            )
        except Refused as refused:
            raise CommandError(refused.message) from None
        for line in report.lines:
            if line.outcome == "rejected":
                self.stderr.write(f"{line.where}\t{line.code}\t{line.reason}")
        self.stdout.write(
            f"{report.sent} rows: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.rejected} rejected"
            + (" (dry run)" if dry_run else "")
        )
        if report.rejected:
            raise CommandError("Rows were rejected: nothing was written.")
