"""Keep the 12 system roles present with openIMIS's rights (run after every migrate)."""

from .rights import SYSTEM_ROLES


def ensure_system_roles(**kwargs) -> None:
    from .models import Role

    for name, fr_name, bit, rights in SYSTEM_ROLES:
        role = Role.objects.filter(is_system=bit, retired_at__isnull=True).first()
        wanted = sorted(set(rights))
        if role is None:
            role = Role(name=name, alt_language=fr_name, is_system=bit, rights=wanted)
            role._change_reason = "system role"
            role.save()
        elif sorted(role.rights) != wanted or role.alt_language != fr_name:
            role.rights = wanted
            role.alt_language = fr_name
            role._change_reason = "system role rights updated"
            role.save()
