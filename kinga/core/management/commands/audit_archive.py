"""`kinga audit-archive`: move the read audit's entries older than KINGA_AUDIT_RETENTION_YEARS
(10 by default) to a gzip JSON-lines file in KINGA_AUDIT_ARCHIVE_DIR, checked against the chain
before they leave the table (kinga.core.services.audit_chain)."""

from django.core.management.base import BaseCommand, CommandError

from kinga.core.services import audit_chain


class Command(BaseCommand):
    help = "Archive the audit entries older than the retention period, then remove them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--years",
            type=int,
            default=None,
            help="retention in years (default: KINGA_AUDIT_RETENTION_YEARS)",
        )

    def handle(self, *args, **options):
        years = options["years"]
        if years is not None and years < 1:
            raise CommandError("--years: at least 1.")
        before = audit_chain.cutoff(years=years)
        try:
            done = audit_chain.archive(before=before)
        except audit_chain.ArchiveError as error:
            raise CommandError(f"Nothing archived: {error}") from None
        if not done.count:
            self.stdout.write(f"No audit entry before {before:%Y-%m-%d}.")
            return
        self.stdout.write(f"{done.count} audit entries archived to {done.file}, then removed.")
