from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kinga.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import audit
        from .roles_seed import ensure_system_roles

        post_migrate.connect(ensure_system_roles, sender=self, dispatch_uid="kinga_system_roles")
        # The read audit's append function and append-only triggers (PostgreSQL), SHA-256 on
        # SQLite connections (kinga.core.audit).
        post_migrate.connect(audit.after_migrate, sender=self, dispatch_uid="kinga_audit_sql")
        connection_created.connect(audit.on_connection, dispatch_uid="kinga_audit_sha256")
