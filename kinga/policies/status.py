"""The policy status: one enum for the models, the pure rules, the services and the pages.

openIMIS's codes (tblPolicy.PolicyStatus 1/2/4/8/16) so that data and integrations port both
ways; the labels are the glossary's words, with a context that keeps the feminine forms of
« une police » whatever other apps say.  No ORM here: `kinga.policies.rules` imports it and stays
pure (an `IntegerChoices` is an enum, not database access)."""

from django.db.models import IntegerChoices
from django.utils.translation import pgettext_lazy


class PolicyStatus(IntegerChoices):
    IDLE = 1, pgettext_lazy("policy status", "Idle")
    ACTIVE = 2, pgettext_lazy("policy status", "Active")
    SUSPENDED = 4, pgettext_lazy("policy status", "Suspended")
    EXPIRED = 8, pgettext_lazy("policy status", "Expired")
    READY = 16, pgettext_lazy("policy status", "Ready")
