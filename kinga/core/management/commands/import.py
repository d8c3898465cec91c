"""`kinga import KIND FILE`: the import of the Outils pages, from the command line, with a
progress bar.  Same checks, same all-or-nothing rule, same report."""

import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from kinga.core import transfer
from kinga.core.errors import Refused
from kinga.core.models import User


class Command(BaseCommand):
    help = "Import a register file (CSV, XLSX, JSON or openIMIS XML)."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="register: " + ", ".join(sorted(transfer.KINDS)))
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="login name of the user who imports")
        parser.add_argument("--strategy", choices=transfer.STRATEGIES, default="insert_update")
        parser.add_argument("--dry-run", action="store_true", help="check and report, save nothing")
        parser.add_argument(
            "--all-lines", action="store_true", help="list every line, not only the rejected ones"
        )

    def handle(self, kind, file: Path, user, strategy, dry_run, all_lines, **options):
        register = transfer.KINDS.get(kind)
        if register is None:
            raise CommandError(
                f"unknown register {kind!r}; one of: {', '.join(sorted(transfer.KINDS))}"
            )
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {user!r}")
        if not file.is_file():
            raise CommandError(f"no file {file}")
        try:
            rows = transfer.read_file(
                register, file.name, file.read_bytes(), max_bytes=None, max_rows=None
            )
            report = transfer.run_import(
                actor=actor,
                kind=register,
                rows=rows,
                strategy=strategy,
                dry_run=dry_run,
                progress=self._progress,
            )
        except Refused as refused:
            raise CommandError(refused.message) from None
        except PermissionDenied:
            raise CommandError(f"{user} may not import {kind}") from None
        self.stderr.write("")
        for line in report.lines:
            if all_lines or line.outcome == transfer.REJECTED:
                self.stdout.write(f"{line.where}\t{line.key}\t{line.outcome_label}\t{line.reason}")
        summary = (
            f"{report.sent} rows: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.rejected} rejected"
        )
        if report.rejected:
            raise CommandError(summary + " — nothing was saved")
        self.stdout.write(
            self.style.SUCCESS(summary + (" (dry run, nothing saved)" if dry_run else ""))
        )

    def _progress(self, done: int, total: int) -> None:
        if not total:
            return
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows checked")
        sys.stderr.flush()
