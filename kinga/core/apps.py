from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kinga.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from .roles_seed import ensure_system_roles

        post_migrate.connect(ensure_system_roles, sender=self, dispatch_uid="kinga_system_roles")
