"""`kinga value-claims --user LOGIN [--facility CODE]`: value every Checked claim the user reaches
(of one facility if told) that awaits no review or feedback, as the bulk action « Valoriser »
does, in batches of a thousand claims.  Safe to repeat: a valued claim is not valued again."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from kinga.claims.queries.valuation import VALUE, valuable_ids
from kinga.claims.services.valuation import claims_value
from kinga.core.models import User


class Command(BaseCommand):
    help = "Value the Checked claims (deductibles, co-insurance, ceilings) of a user's reach."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="The login of the user who values.")
        parser.add_argument("--facility", default="", help="Only this facility's claims (code).")

    def handle(self, *args, user: str, facility: str = "", **options):
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"--user: no active user {user!r}")
        if not VALUE.may_right(actor, "value"):
            raise CommandError(f"{user} may not value claims (right 111011).")
        try:
            report = claims_value(valuable_ids(actor, facility), actor)
        except PermissionDenied:
            raise CommandError(f"{user} may not value claims (right 111011).") from None
        self.stdout.write(
            f"{report.valued} claims valued: {report.valuated} valuated, "
            f"{report.processed} processed (relative prices), {report.rejected} rejected; "
            f"{report.unchanged} unchanged."
        )
