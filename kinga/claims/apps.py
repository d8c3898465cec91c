from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def _control_menu() -> None:
    """The control pages' menu entry and home page cards (claim search, review, feedback)."""
    from kinga.core import home, menu
    from kinga.core.rights import Right

    from .views import control

    menu.add(
        "claims",
        menu.Entry(
            _("Claim search"), "claims_control:search", (Right.CLAIM_SEARCH, Right.CLAIM_LOAD)
        ),
    )
    home.register(control.work_card)
    home.register(control.returned_card)


def _valuation() -> None:
    """The enquiry (policies app, below this one) reads the claims' consumption ledger through
    its hook: the deductibles and ceilings it shows are what is left after valued claims."""
    from kinga.policies import hooks as policy_hooks

    from .queries import valuation

    policy_hooks.register_consumption(valuation.consumed)


def _payment_menu() -> None:
    """The accountant's payment statements (issue 13)."""
    from kinga.core import menu
    from kinga.core.rights import Right

    menu.add(
        "claims",
        menu.Entry(
            _("Payment statements"),
            "claims_payment:statements",
            (Right.BATCH_PROCESS, Right.BATCH_PREVIEW),
        ),
    )


def _batch_menu() -> None:
    """« Traitements par lot »: the accountant's batch runs."""
    from kinga.core import menu
    from kinga.core.rights import Right

    menu.add(
        "claims",
        menu.Entry(
            _("Batch runs"),
            "claims_batch:list",
            (Right.BATCH_PROCESS, Right.BATCH_FILTER, Right.BATCH_PREVIEW),
        ),
    )


class ClaimsConfig(AppConfig):
    name = "kinga.claims"
    label = "claims"
    verbose_name = _("Claims")

    def ready(self) -> None:
        from kinga.core import menu
        from kinga.core.rights import Right

        menu.add(
            "claims",
            menu.Entry(pgettext_lazy("menu", "New claim"), "claims_entry:new", (Right.CLAIM_ADD,)),
        )
        _control_menu()
        _valuation()
        _batch_menu()
        _payment_menu()
