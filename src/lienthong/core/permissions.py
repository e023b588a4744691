"""Row-level scope: which rows a user may see, expressed as a query filter.

A role is granted for one org unit and covers everything below it (`OrgUnit.path` is the
materialised path `/1/7/42/`, so "below" is a prefix test). Every list an official sees is
filtered by `.visible_to(user)` in the query, never after the fact in Python; single objects
are fetched with `get_visible_or_404`, which answers "does not exist" and "not yours" with the
same 404 so that ids of other units' rows cannot be probed (Zulip's `access_*` helpers).

Core sits below accounts, so this module reaches role grants through the reverse relations
(`user.role_assignments`) instead of importing the accounts app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import StartsWith
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from lienthong.accounts.models import User

_M = TypeVar("_M", bound=models.Model)

View = Callable[..., HttpResponse]


def is_real_user(user: Any) -> bool:
    """An authenticated, active account (anonymous visitors and disabled accounts are not)."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def grants_of(user: User, roles: Iterable[str] | None = None) -> models.QuerySet[Any]:
    """The user's role grants that carry an org unit, optionally limited to `roles`.

    A grant without an org unit (the citizen role) scopes no unit at all.
    """
    grants = user.role_assignments.filter(org_unit__isnull=False)
    if roles is not None:
        grants = grants.filter(role__in=list(roles))
    return grants


class ScopedQuerySet(models.QuerySet[_M]):
    """A QuerySet whose rows belong to an org unit and are visible within role scopes.

    Subclass it for a model and set `scope_field` to the path of the foreign key to
    `core.OrgUnit` (e.g. `"org_unit"` or `"procedure__agency"`; `""` for OrgUnit itself);
    override `own_rows` when a user also sees rows tied to them personally (their tasks,
    their dossiers).
    """

    #: Path from the model to the OrgUnit the row belongs to.
    scope_field: ClassVar[str] = "org_unit"
    #: Roles that see the rows of their units when `visible_to` is called without `roles`;
    #: None means any role granted for an org unit.
    scope_roles: ClassVar[frozenset[str] | None] = None

    def own_rows(self, user: User) -> Q | None:
        """Rows the user sees whatever their roles (none by default)."""
        return None

    def scope_condition(self, user: User, *, roles: Iterable[str] | None = None) -> Q:
        """Rows whose org unit lies within a unit where the user holds one of `roles`."""
        # A correlated EXISTS keeps the QuerySet lazy and the list one query, however many
        # grants the user holds.
        path = f"{self.scope_field}__path" if self.scope_field else "path"
        grants = grants_of(user, roles if roles is not None else self.scope_roles).filter(
            StartsWith(OuterRef(path), F("org_unit__path"))
        )
        return Q(Exists(grants))

    def visible_to(self, user: Any, *, roles: Iterable[str] | None = None) -> Self:
        """Rows the user may see: superusers all; others their units' rows and their own."""
        if not is_real_user(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        condition = self.scope_condition(user, roles=roles)
        own = self.own_rows(user)
        if own is not None:
            condition |= own
        return self.filter(condition)


def get_visible_or_404(
    queryset: models.QuerySet[_M] | models.Manager[_M],
    user: Any,
    *,
    roles: Iterable[str] | None = None,
    **lookup: Any,
) -> _M:
    """The one row matching `lookup` that `user` may see, else the same 404 either way."""
    qs = queryset.all() if isinstance(queryset, models.Manager) else queryset
    if not isinstance(qs, ScopedQuerySet):
        raise TypeError(f"{qs.model.__name__} has no scoped QuerySet (ScopedQuerySet)")
    try:
        return cast(_M, qs.visible_to(user, roles=roles).get(**lookup))
    except (qs.model.DoesNotExist, ValueError, DjangoValidationError):
        # A malformed id is just another object the user cannot see.
        raise Http404(_("Không tìm thấy hoặc bạn không có quyền xem.")) from None


def is_official_user(user: Any) -> bool:
    """An active official (cán bộ) or a superuser: who may use the officials' pages."""
    return is_real_user(user) and (user.is_superuser or user.kind == "official")


def official_required(view: View) -> View:
    """Page decorator: anonymous visitors go to the login page, non-officials get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_official_user(request.user):
            raise PermissionDenied(_("Trang này chỉ dành cho cán bộ, công chức."))
        return view(request, *args, **kwargs)

    return wrapper
