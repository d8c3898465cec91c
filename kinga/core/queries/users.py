"""Reads of users shared by pages and APIs, filtered by what the reader may see.

A user finds only the users whose districts are the same as or a subset of his own, and never
an IMIS Administrator; an IMIS Administrator finds everyone (openIMIS docs register/user.po)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from .. import access
from ..errors import Refused
from ..loaders import Action, Loader, changing, viewing
from ..models import Role, User
from ..rights import IMIS_ADMIN_BIT, Right

UserDistrict = User.districts.through
UserRole = User.roles.through


def visible_users(actor) -> QuerySet[User]:
    scope = access.scope_of(actor)
    qs = User.objects.all()
    if scope.everything:
        return qs
    outside = UserDistrict.objects.filter(
        user_id=OuterRef("pk"), location__retired_at__isnull=True
    ).exclude(location_id__in=scope.district_ids)
    inside = UserDistrict.objects.filter(user_id=OuterRef("pk"), location_id__in=scope.district_ids)
    admin = UserRole.objects.filter(user_id=OuterRef("pk"), role__is_system=IMIS_ADMIN_BIT)
    return qs.filter(Q(pk=actor.pk) | (Exists(inside) & ~Exists(outside) & ~Exists(admin)))


def user_visible_to(actor, user: User) -> bool:
    if access.scope_of(actor).everything or user.pk == actor.pk:
        return True
    return visible_users(actor).filter(pk=user.pk).exists()


def rights_held_by(user: User) -> tuple[bool, frozenset[int]]:
    """Whether `user` holds the IMIS Administrator role, and every right his current roles
    give — blocked roles too: unblocking one gives its rights back to its holders."""
    cached = getattr(user, "_kinga_all_rights", None)
    if cached is not None:
        return cached  # one query per user object (a page asks once per button)
    admin, rights = False, set()
    for is_system, codes in Role.objects.filter(users=user, retired_at__isnull=True).values_list(
        "is_system", "rights"
    ):
        admin = admin or bool(is_system & IMIS_ADMIN_BIT)
        rights.update(int(c) for c in codes or ())
    user._kinga_all_rights = (admin, frozenset(rights))
    return user._kinga_all_rights


def holds_every_right_of(actor, user: User) -> bool:
    """The rights subset rule: a user administrator acts on a user (his password, his record,
    his retirement) only when he holds every right that user holds — else setting the user's
    password would let him log in as the user with rights he lacks.  One's own record passes
    (the business rules of `user_refusal` apply to it)."""
    if user.pk == actor.pk or access.is_imis_admin(actor):
        return True
    admin, rights = rights_held_by(user)
    return not admin and rights <= access.rights_of(actor)


USER = Loader(
    queryset=lambda: User.objects.all(),
    actions={
        "view": viewing(Right.USER_SEARCH),
        "add": changing(Right.USER_ADD),
        "edit": changing(Right.USER_EDIT, scope=holds_every_right_of),
        "password": changing(Right.USER_EDIT, scope=holds_every_right_of),
        # Retired users too: the retire page says why it cannot be done (`user_refusal`).
        "retire": Action((Right.USER_DELETE,), retired_ok=True, scope=holds_every_right_of),
    },
    in_scope=user_visible_to,
)


def get_user_for_user(user, key, action: str = "view") -> User:
    """The user `key`, loaded and authorised for `action` (kinga.core.loaders): `user` (who
    acts) holds the action's right and sees him (`user_visible_to`); 404 if there is none."""
    return USER.get(user, key, action)


def user_refusal(actor, user: User, action: str) -> Refused | None:
    """The business rule that stops `action` on `user` (None: none does), in one place for the
    buttons, the pages and the services: nobody sets his own password here nor retires
    himself, and a retired user is not retired again."""
    if action == "password" and user.pk == actor.pk:
        return Refused(
            _("To change your own password, use “Change my password”: it asks for the old one."),
            "new_password",
        )
    if action == "retire":
        if user.pk == actor.pk:
            return Refused(_("You cannot retire yourself."))
        if user.retired_at is not None:
            return Refused(_("This user is already retired."))
    return None


def may_user(actor, user: User, action: str) -> bool:
    return USER.may(actor, user, action) and user_refusal(actor, user, action) is None


def search_users(
    actor,
    *,
    q: str = "",
    role: Role | None = None,
    district=None,
    status: str = "active",
) -> QuerySet[User]:
    """Users `actor` may see, searched by login, names, e-mail or phone; status is "active",
    "retired" or "all"."""
    qs = visible_users(actor)
    if status == "retired":
        qs = qs.filter(retired_at__isnull=False)
    elif status != "all":
        qs = qs.filter(retired_at__isnull=True)
    for word in (q or "").split():
        qs = qs.filter(
            Q(username__icontains=word)
            | Q(last_name__icontains=word)
            | Q(other_names__icontains=word)
            | Q(email__icontains=word)
            | Q(phone__icontains=word)
        )
    if role is not None:
        qs = qs.filter(Exists(UserRole.objects.filter(user_id=OuterRef("pk"), role_id=role.pk)))
    if district is not None:
        qs = qs.filter(
            Exists(UserDistrict.objects.filter(user_id=OuterRef("pk"), location_id=district.pk))
        )
    return qs.select_related("health_facility").prefetch_related(
        Prefetch("roles", queryset=Role.objects.order_by("name")),
        "districts",
    )


def assignable_roles(actor) -> QuerySet[Role]:
    """Current roles `actor` may grant: all for an IMIS Administrator; for others those whose
    rights he holds himself, never the IMIS Administrator role."""
    qs = Role.objects.filter(retired_at__isnull=True)
    if access.is_imis_admin(actor):
        return qs
    held = access.rights_of(actor)
    ids = [
        r.pk
        for r in qs.exclude(is_system=IMIS_ADMIN_BIT).only("pk", "rights")
        if set(r.rights) <= held
    ]
    return qs.filter(pk__in=ids)


def assignable_districts(actor):
    # The models of the apps above core are reached through the user's own relations, so that
    # core imports none of them (kinga.core sits at the bottom of the layers).
    Location = User._meta.get_field("districts").related_model
    qs = Location.objects.filter(type="D", retired_at__isnull=True).select_related("parent")
    scope = access.scope_of(actor)
    if not scope.everything:
        qs = qs.filter(pk__in=scope.district_ids)
    return qs.order_by("parent__name", "name")


def assignable_health_facilities(actor):
    HealthFacility = User._meta.get_field("health_facility").related_model
    qs = HealthFacility.objects.filter(retired_at__isnull=True)
    return qs.filter(access.district_q(actor, "district_id")).order_by("code")
