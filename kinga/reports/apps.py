from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "kinga.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from kinga.core import menu

        from .queries import AUDIT_RIGHTS

        menu.add("tools", menu.Entry(_("Data entry audit"), "reports:audit", AUDIT_RIGHTS))
