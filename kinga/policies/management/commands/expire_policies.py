"""`kinga expire-policies [--today YYYY-MM-DD]`: the scheduled expiry job (spec §9.8,
decision 11).  Safe to run as often as wanted: a second run the same day expires nothing."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from kinga.policies.services.expiry import expire_policies


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today: not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Expire the policies whose expiry date has passed (with history rows)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=_date, default=None, help="The day of the run (default: today)."
        )

    def handle(self, *args, today=None, **options):
        count = expire_policies(today=today)
        self.stdout.write(f"{count} policies expired.")
