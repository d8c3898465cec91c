"""kinga locations_import FILE --user LOGIN [--strategy …] [--dry-run]: an alias of
`kinga import locations FILE --user LOGIN …` (the shared import, same checks and report)."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

from kinga.core import transfer


class Command(BaseCommand):
    help = "Import locations (openIMIS XML, JSON, CSV or Excel): kinga import locations FILE."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="login of the user who imports")
        parser.add_argument("--strategy", choices=transfer.STRATEGIES, default="insert_update")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, file: Path, user: str, strategy: str, dry_run: bool, **options):
        call_command(
            "import",
            "locations",
            str(file),
            user=user,
            strategy=strategy,
            dry_run=dry_run,
            stdout=self.stdout,
            stderr=self.stderr,
        )
