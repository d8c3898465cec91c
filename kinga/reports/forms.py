"""The audit page's filters: a period (dd/mm/yyyy), a user, a kind of record and, on the
readers' tab, an insurance number.  Whatever is typed, a wrong value is said under its field."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .queries import PERIOD_DAYS_MAX, READ_KINDS, audited_users, history_kinds

TABS = ("entries", "activity", "readers")
# The dates a period may take (a day after 31/12/9999 is no date: the period's end is the day
# after its last).
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2999, 12, 31)
DATE = forms.TextInput(attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric", "size": 10})


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return f"{user.username} — {user.full_name}"


class AuditFilters(forms.Form):
    since = forms.DateField(label=_("From"), widget=DATE, required=False)
    until = forms.DateField(label=_("To"), widget=DATE, required=False)
    user = UserChoice(label=_("User"), queryset=None, required=False, empty_label=_("Everyone"))
    kind = forms.ChoiceField(label=_("Kind of record"), required=False)
    number = forms.CharField(label=_("Insurance number"), max_length=50, required=False)

    def __init__(self, data, *, actor, tab: str):
        super().__init__(data)
        self.tab = tab
        self.fields["user"].queryset = audited_users(actor)
        if tab == "readers":
            self.fields["kind"].choices = [("", _("Every kind")), *READ_KINDS.items()]
            self.fields["number"].required = True
        else:
            del self.fields["number"]
            self.fields["kind"].choices = [("", _("Every kind")), *history_kinds()]
        if tab == "activity":
            self.fields["user"].required = True
            self.fields["user"].empty_label = "—"

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        until = data.get("until") or today
        since = data.get("since") or until - datetime.timedelta(days=29)
        if "since" in self.errors or "until" in self.errors:
            return data
        for name, value in (("since", since), ("until", until)):
            if not FIRST_DAY <= value <= LAST_DAY:
                self.add_error(
                    name,
                    _("The date must be between %(first)s and %(last)s.")
                    % {"first": f"{FIRST_DAY:%d/%m/%Y}", "last": f"{LAST_DAY:%d/%m/%Y}"},
                )
                return data
        if since > until:
            self.add_error("until", _("The end of the period comes before its start."))
        elif (until - since).days + 1 > PERIOD_DAYS_MAX:
            self.add_error(
                "since",
                _("The period is at most %(days)s days long.") % {"days": PERIOD_DAYS_MAX},
            )
        data["since"], data["until"] = since, until
        return data
