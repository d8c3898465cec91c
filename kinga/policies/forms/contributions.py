"""The contribution form (its checks are the services')."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.core.forms.choices import DependentChoiceField

from ..models import Payer, PayType
from ..queries.payers import payers_for_location
from ..queries.payers import visible as payers_visible
from .policies import DATE


class ContributionForm(forms.Form):
    payer = DependentChoiceField(
        label=gettext_lazy("Payer"),
        queryset=Payer.objects.none(),
        to_field_name="uuid",
        required=False,
        empty_label=gettext_lazy("(the family)"),
    )
    amount = forms.DecimalField(label=gettext_lazy("Amount"), max_digits=18, decimal_places=2)
    receipt = forms.CharField(label=gettext_lazy("Receipt"), max_length=50)
    pay_date = forms.DateField(label=gettext_lazy("Payment date"), widget=DATE)
    pay_type = forms.ChoiceField(label=gettext_lazy("Payment type"), choices=PayType.choices)
    is_photo_fee = forms.BooleanField(label=gettext_lazy("Photo fee"), required=False)

    def __init__(self, *args, user, family, contribution=None, locked=False, **kwargs):
        super().__init__(*args, **kwargs)
        payers = payers_for_location(user, family.village)
        if contribution is not None and contribution.payer_id is not None:
            # A contribution being changed keeps its payer even if he no longer pays there.
            payers = Payer.objects.filter(
                Q(pk__in=payers.values("pk")) | Q(pk=contribution.payer_id)
            ).order_by("name", "pk")
        village = family.village
        # A payer who does not pay for the family's village is kept and refused with that
        # reason (kinga.core.forms.choices), not « Sélectionnez un choix valide ».
        self.fields["payer"].offer(
            payers,
            wider=payers_visible(user),
            refusal=lambda payer: (
                _("The payer %(name)s does not pay for families of %(village)s.")
                % {"name": payer.name, "village": village.name}
            ),
        )
        if locked:
            # The policy is no longer idle: what its status rests on cannot change here.
            for name in ("amount", "pay_date", "is_photo_fee"):
                self.fields[name].disabled = True
                self.fields[name].help_text = gettext_lazy("Locked: the policy is no longer idle.")
