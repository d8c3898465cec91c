"""The filter of the renewal-reminder page: how many days ahead, which officer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.insurees.models import Officer

from ..queries import policies as policy_queries
from ..queries import renewals as queries


class ReminderFilterForm(forms.Form):
    days = forms.IntegerField(
        label=gettext_lazy("Days"), required=False, min_value=0, max_value=queries.MAX_DAYS
    )
    officer = forms.CharField(label=gettext_lazy("Officer"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        message = _("Enter a whole number of days from 0 to %(max)s.") % {"max": queries.MAX_DAYS}
        for code in ("invalid", "min_value", "max_value"):
            self.fields["days"].error_messages[code] = message

    def days_or_default(self) -> int:
        """The days asked for, or the renewal interval when the field is empty or wrong."""
        if self.is_valid() and self.cleaned_data["days"] is not None:
            return self.cleaned_data["days"]
        return queries.RENEWAL_INTERVAL


class RenewalForm(forms.Form):
    """The renewal page (spec §9.7): the renewal's enrolment date and officer; the product,
    dates and value follow from the policy renewed."""

    enroll_date = forms.DateField(
        label=gettext_lazy("Renewal date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    officer = forms.ModelChoiceField(
        label=gettext_lazy("Enrolment officer"),
        queryset=Officer.objects.none(),
        to_field_name="uuid",
    )

    def __init__(self, *args, user, family, on_date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = policy_queries.officers_for_policy(user, family, on_date)
