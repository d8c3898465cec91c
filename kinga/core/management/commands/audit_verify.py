"""`kinga audit-verify`: walk the read audit's hash chain (kinga.core.audit) and report the first
entry changed or removed directly in the database; exit code 1 when the chain is broken.
`--archives` also checks every archive file of KINGA_AUDIT_ARCHIVE_DIR."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kinga.core.services import audit_chain


class Command(BaseCommand):
    help = "Check the read audit's hash chain; report the first broken entry (exit code 1)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--archives", action="store_true", help="check the archive files as well"
        )

    def handle(self, *args, **options):
        if options["archives"]:
            directory = Path(settings.KINGA_AUDIT_ARCHIVE_DIR)
            for path in sorted(directory.glob("audit-*.jsonl.gz")):
                try:
                    anchor, _entries = audit_chain.check_archive(path)
                except (audit_chain.ArchiveError, OSError, ValueError) as error:
                    raise CommandError(f"Archive broken: {error}") from None
                self.stdout.write(
                    f"{path.name}: {anchor['count']} entries, chain intact "
                    f"({anchor['first_id']}–{anchor['last_id']})."
                )
        result = audit_chain.verify()
        if result.broken is not None:
            raise CommandError(
                f"Audit chain broken at entry {result.broken.id}: {result.broken.reason}. "
                f"{result.count} entries before it are intact."
            )
        self.stdout.write(f"Audit chain intact: {result.count} entries.")
