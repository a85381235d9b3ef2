"""Every write of organisations, memberships, role groups and object permissions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.models import User as AuthUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from .models import Membership, Organisation
from .roles import CUSTOMER_SIDE_ROLES, PROVIDER_ROLES, Role
from .selectors import forget_memberships

PROVIDER_STAFF_GROUP = "provider_staff"
# Besides the portal's own models, Leiden's staff look users up (to give them a membership) and lift
# lockouts in the admin. Users, groups, permissions, API tokens and second factors are the superusers':
# whoever may change them may make anyone a superuser.
EXTRA_STAFF_PERMISSIONS = (
    ("auth", "user", "view"),
    ("axes", "accessattempt", "view"),
    ("axes", "accessattempt", "delete"),
)
EXTRA_STAFF_MODELS = tuple((app_label, model) for app_label, model, _action in EXTRA_STAFF_PERMISSIONS)
# Models of the portal's apps that stay out of the provider_staff group all the same.
SUPERUSER_ONLY_MODELS = (("tenants", "apitoken"),)


def role_group_name(organisation: Organisation, role: str) -> str:
    return f"{organisation.slug}:{role}"


def role_group(organisation: Organisation, role: str) -> Group:
    group, _created = Group.objects.get_or_create(name=role_group_name(organisation, role))
    return group


def check_role_fits(organisation: Organisation, role: str) -> None:
    if role in PROVIDER_ROLES and organisation.kind != Organisation.Kind.PROVIDER:
        raise ValidationError(
            _("De rol %(role)s bestaat alleen bij de aanbieder, niet bij %(org)s.")
            % {"role": Role(role).label, "org": organisation.name}
        )
    if role in CUSTOMER_SIDE_ROLES and not organisation.is_customer:
        raise ValidationError(
            _("%(org)s is geen afnemer en kent de rol %(role)s niet.")
            % {"role": Role(role).label, "org": organisation.name}
        )


@transaction.atomic
def add_membership(*, user: AuthUser, organisation: Organisation, role: str) -> Membership:
    """Give ``user`` a role at ``organisation``: the membership, its role group and, for provider staff,
    access to the admin."""
    check_role_fits(organisation, role)
    membership, _created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    user.groups.add(role_group(organisation, role))
    if role == Role.PROVIDER_STAFF:
        user.groups.add(ensure_provider_staff_permissions())
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    forget_memberships(user)
    return membership


@transaction.atomic
def remove_membership(*, membership: Membership) -> None:
    user = membership.user
    user.groups.remove(role_group(membership.organisation, membership.role))
    membership.delete()
    if (
        membership.role == Role.PROVIDER_STAFF
        and not Membership.objects.filter(user=user, role=Role.PROVIDER_STAFF).exists()
    ):
        user.groups.remove(*Group.objects.filter(name=PROVIDER_STAFF_GROUP))
        if not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])
    forget_memberships(user)


def ensure_provider_staff_permissions(using: str = "default") -> Group:
    """The global provider_staff group holds every model permission of the portal's apps (for the admin),
    the few extra ones above, and nothing else: a permission granted earlier and no longer in the set
    (such as changing users) is taken away."""
    group, _created = Group.objects.using(using).get_or_create(name=PROVIDER_STAFF_GROUP)
    condition = models.Q(content_type__app_label__in=settings.PORTAL_APPS)
    for app_label, model in SUPERUSER_ONLY_MODELS:
        condition &= ~models.Q(content_type__app_label=app_label, content_type__model=model)
    for app_label, model, action in EXTRA_STAFF_PERMISSIONS:
        condition |= models.Q(
            content_type__app_label=app_label, content_type__model=model, codename=f"{action}_{model}"
        )
    permissions = Permission.objects.using(using).filter(condition)
    group.permissions.set(permissions)
    return group


def grant_object_permissions(
    *, obj: models.Model, organisation: Organisation, perms: Mapping[Role, Iterable[str]]
):
    """Grant object permissions on ``obj`` to role groups when the object is created.

    ``perms`` maps a role to permission codenames. Customer roles are granted to ``organisation``'s
    role group; provider roles to the provider's role group. Uses the model's direct foreign-key
    permission tables where it declares them (see CONVENTIONS.md on guardian).
    """
    grant_object_permissions_in_bulk(objs=[obj], organisation=organisation, perms=perms)


def grant_object_permissions_in_bulk(
    *, objs: Sequence[models.Model], organisation: Organisation, perms: Mapping[Role, Iterable[str]]
) -> None:
    """Grant ``perms`` on every object of ``objs`` (all of one model and one customer organisation) in
    a fixed number of queries, whatever the number of objects and permissions: the role groups (one
    query, creating the missing ones), the permissions (one) and one bulk insert into the permission
    table (grants that already exist are left as they are)."""
    from guardian.models import GroupObjectPermission
    from guardian.utils import get_group_obj_perms_model

    from .selectors import provider_organisation

    if not objs:
        return
    provider = None
    wanted: list[tuple[str, str, str]] = []  # (group name, app label, codename)
    for role, codenames in perms.items():
        if role in PROVIDER_ROLES:
            provider = provider or provider_organisation()
            if provider is None:
                continue
            group_name = role_group_name(provider, role)
        else:
            group_name = role_group_name(organisation, role)
        for codename in codenames:
            app_label, _dot, name = (
                codename.rpartition(".") if "." in codename else (objs[0]._meta.app_label, ".", codename)
            )
            wanted.append((group_name, app_label, name))
    groups = _role_groups({name for name, _app, _codename in wanted})
    condition = models.Q(pk__in=[])
    for _name, app_label, codename in wanted:
        condition |= models.Q(content_type__app_label=app_label, codename=codename)
    permissions = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.filter(condition).select_related("content_type")
    }
    model = get_group_obj_perms_model(objs[0])
    rows: list[models.Model] = []
    for group_name, app_label, codename in wanted:
        permission = permissions[(app_label, codename)]
        for obj in objs:
            if issubclass(model, GroupObjectPermission):  # the generic table: content type and text key
                rows.append(
                    model(
                        group=groups[group_name],
                        permission=permission,
                        content_type=permission.content_type,
                        object_pk=str(obj.pk),
                    )
                )
            else:
                rows.append(model(group=groups[group_name], permission=permission, content_object=obj))
    model._default_manager.bulk_create(rows, ignore_conflicts=True)


def _role_groups(names: set[str]) -> dict[str, Group]:
    groups = {g.name: g for g in Group.objects.filter(name__in=names)}
    for name in names - set(groups):
        groups[name], _created = Group.objects.get_or_create(name=name)
    return groups


def purge_login_records(*, older_than_days: int = 90) -> int:
    """Remove login attempts, failures and access logs older than the retention period (privacy).

    Returns the number of records removed; a second run the same day removes nothing more.
    """
    from datetime import timedelta

    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.utils import timezone

    cutoff = timezone.now() - timedelta(days=older_than_days)
    removed = 0
    with transaction.atomic():
        removed += AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
        removed += AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
        removed += AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()[0]
    return removed
