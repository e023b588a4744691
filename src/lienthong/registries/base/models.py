"""The shared base of every registry (cơ sở dữ liệu dùng chung).

`RegistryRecord` is the abstract model each registry's records inherit: the owner agency,
created/updated stamps, soft delete, a folded search text kept up to date on save, and the
QuerySet with `.visible_to(user)`, `.editable_by(user)` and `.search(q)`. The concrete models
here are shared by all registries: read grants between agencies, the data-access log shown
to citizens, and import runs.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import AuditedModel
from lienthong.core.permissions import ScopedQuerySet, grants_of, is_real_user
from lienthong.core.text import fold

if TYPE_CHECKING:
    pass

_R = TypeVar("_R", bound="RegistryRecord")

#: The role that edits a registry's records for the org units it is granted for.
REGISTRY_OWNER_ROLE = "registry_owner"
_WORDS = re.compile(r"[0-9a-z]+")


# --- Grants ---------------------------------------------------------------------------------


class RegistryGrantQuerySet(models.QuerySet["RegistryGrant"]):
    """Named filters over read grants."""

    def active(self, on: datetime.date | None = None) -> RegistryGrantQuerySet:
        """Grants in force on `on` (default today)."""
        day = on or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )


class RegistryGrant(models.Model):
    """Agency X may read registry Y (cấp quyền khai thác), for a stated purpose and period.

    The grant covers the agency's whole subtree: every official holding a role at one of its
    units reads the registry's live records. Editing stays with the owner agency's registry
    officials (role `registry_owner`).
    """

    registry = models.CharField(_("cơ sở dữ liệu"), max_length=40)
    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan được khai thác"),
        on_delete=models.CASCADE,
        related_name="registry_grants",
    )
    purpose = models.CharField(_("mục đích khai thác"), max_length=300)
    valid_from = models.DateField(_("hiệu lực từ"), default=timezone.localdate)
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cấp"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("thời điểm cấp"), default=timezone.now)

    objects = RegistryGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("quyền khai thác cơ sở dữ liệu")
        verbose_name_plural = _("quyền khai thác cơ sở dữ liệu")
        ordering = ["registry", "agency__path"]
        constraints = [
            models.UniqueConstraint(fields=["registry", "agency"], name="registry_grant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} → {self.registry}"


def has_read_grant(user: Any, registry: str) -> bool:
    """Whether `user` holds a role within an agency granted to read `registry` today.

    Cached on the user object for the request: a page asks it for every list and detail.
    """
    if not is_real_user(user):
        return False
    cache: dict[str, bool] = user.__dict__.setdefault("_registry_read_grants", {})
    if registry not in cache:
        from django.db.models import Exists, F, OuterRef
        from django.db.models.lookups import StartsWith

        roles = grants_of(user).filter(StartsWith(F("org_unit__path"), OuterRef("agency__path")))
        cache[registry] = (
            RegistryGrant.objects.active().filter(registry=registry).filter(Exists(roles)).exists()
        )
    return cache[registry]


# --- The abstract record --------------------------------------------------------------------


class RegistryQuerySet(ScopedQuerySet[_R]):
    """Reads of a registry: live rows, permissions as filters, folded search.

    `visible_to(user)`: superusers all; officials of an agency granted to read the registry
    all live rows; registry officials (`registry_owner`) the rows owned within their units.
    `editable_by(user)`: only the latter (and superusers).
    """

    scope_field = "owner"
    scope_roles = frozenset({REGISTRY_OWNER_ROLE})

    def alive(self) -> Self:
        """Rows not soft-deleted."""
        return self.filter(deleted_at__isnull=True)

    def deleted(self) -> Self:
        """Soft-deleted rows only (the default manager never returns them)."""
        return self.filter(deleted_at__isnull=False)

    def editable_by(self, user: Any) -> Self:
        """Rows `user` may change: those owned within units where they are registry officials."""
        return super().visible_to(user, roles=[REGISTRY_OWNER_ROLE])

    def visible_to(self, user: Any, *, roles: Any = None) -> Self:
        """Rows `user` may read: a read grant for the registry shows them all."""
        if not is_real_user(user):
            return self.none()
        if user.is_superuser or has_read_grant(user, self.model.registry_key):
            return self.all()
        return self.editable_by(user)

    def search(self, q: str | None) -> Self:
        """Rows matching `q`: an identifier prefix when `q` is one, else every folded word.

        See `registries.base.fulltext` for how each database answers quickly; results of a
        word search come in the index's order, not sorted, so paging stays cheap.
        """
        from lienthong.registries.base import fulltext

        return fulltext.search(self, q)


_RegistryManagerBase = models.Manager.from_queryset(RegistryQuerySet)


class RegistryManager(_RegistryManagerBase):
    """The default manager: soft-deleted rows are hidden everywhere it is used."""

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(deleted_at__isnull=True)


class RegistryRecord(AuditedModel):
    """Base of every registry record: owner agency, stamps, soft delete, folded search text.

    Subclasses set `registry_key` (the registry's name in grants, events and the API, e.g.
    "population"), `search_fields` (what the search text is folded from) and optionally
    `identifier_field` (a code searched by prefix when the query looks like one).
    """

    #: The registry's name: grants, events `registry.<key>.created`, the API path.
    registry_key: ClassVar[str] = ""
    #: Fields whose text, folded, makes up `search_text` (in this order).
    search_fields: ClassVar[tuple[str, ...]] = ()
    #: A code field (personal ID, tax code) matched by prefix when the query is digits.
    identifier_field: ClassVar[str] = ""
    # Derived or bookkeeping columns: not part of a version in the history.
    audit_exclude: ClassVar[tuple[str, ...]] = ("search_text", "updated_at")

    owner = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan quản lý"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("ngày cập nhật"), default=timezone.now, editable=False)
    deleted_at = models.DateTimeField(_("ngày xoá"), null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xoá"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: Folded words of `search_fields`, letters and digits only, one space apart.
    search_text = models.CharField(_("chuỗi tìm kiếm"), max_length=500, blank=True, editable=False)
    # Without an index: only deleting an import run looks rows up by it, and an index would
    # cost every row of a 3-million-row import.
    import_job = models.ForeignKey(
        "registry.ImportJob",
        verbose_name=_("lần nhập"),
        null=True,
        blank=True,
        editable=False,
        db_index=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RegistryManager()
    #: Every row, soft-deleted ones included (the admin, history, restore).
    all_objects = _RegistryManagerBase()

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @classmethod
    def search_text_of(cls, values: Mapping[str, Any]) -> str:
        """The folded search text of a row given as column values (imports use this)."""
        text = fold(" ".join(str(values.get(name) or "") for name in cls.search_fields))
        # Letters and digits only, one space between: SQLite's FTS5 and PostgreSQL's parser
        # then see the same words ("hk-1" would be "hk", "1" to one and "hk", "-1" to the other).
        return " ".join(_WORDS.findall(text))[:500]

    def refresh_search_text(self) -> None:
        """Recompute `search_text` from the row's fields (`save` does it every time)."""
        self.search_text = self.search_text_of(self.__dict__)

    def validate_constraints(self, exclude: Any = None) -> None:
        """Unique keys hold over soft-deleted rows too: the default manager, which Django's
        check reads, does not see them, so they are looked for here, with a hint to restore."""
        super().validate_constraints(exclude=exclude)
        model = type(self)
        for constraint in self._meta.constraints:
            if not isinstance(constraint, models.UniqueConstraint) or constraint.condition:
                continue
            names = list(constraint.fields)
            if not names or (exclude and set(names) & set(exclude)):
                continue
            lookup = {name: getattr(self, _attname(self, name)) for name in names}
            clash = model.all_objects.deleted().filter(**lookup).exclude(pk=self.pk).first()
            if clash is not None:
                raise ValidationError(
                    {
                        names[0]: _(
                            "Trùng với bản ghi đã xoá “%(record)s”: hãy khôi phục bản ghi đó "
                            "thay vì nhập lại."
                        )
                        % {"record": clash}
                    }
                )

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the folded search text and the update stamp in step with the row."""
        self.refresh_search_text()
        self.updated_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text", "updated_at"}
        super().save(*args, **kwargs)


def _attname(obj: models.Model, name: str) -> str:
    return str(getattr(obj._meta.get_field(name), "attname", name))


def registry_indexes(prefix: str) -> list[models.Index]:
    """The indexes every registry table needs; `prefix` keeps names under 30 characters.

    - the folded search text (name order, prefix ranges);
    - soft-deleted rows only (partial: the recycle bin lists them without a scan).
    The word index (FTS5 / GIN) is installed by `fulltext.FoldedSearchIndex` in migrations.
    """
    return [
        models.Index(fields=["search_text"], name=f"{prefix}_search"),
        models.Index(
            fields=["deleted_at"], name=f"{prefix}_deleted", condition=Q(deleted_at__isnull=False)
        ),
    ]


# --- Data-access log ------------------------------------------------------------------------


class DataAccessQuerySet(models.QuerySet["DataAccess"]):
    """Named filters over the data-access log."""

    def about(self, subject_key: str) -> DataAccessQuerySet:
        """Reads of one person's or organisation's data, newest first."""
        return self.filter(subject_key=subject_key).order_by("-at", "-pk")

    def for_user(self, user: Any) -> DataAccessQuerySet:
        """What a citizen sees: reads of the records that carry their personal ID."""
        personal_id = getattr(user, "personal_id", None) if is_real_user(user) else None
        if not personal_id:
            return self.none()
        return self.about(str(personal_id))


class DataAccess(models.Model):
    """One read of a person's or organisation's registry data (nhật ký khai thác dữ liệu).

    Who read it (official and agency), why (the purpose, e.g. "Tiếp nhận hồ sơ <code>"),
    when, which record, through which channel. Citizens see the reads of their own data
    ("Ai đã xem dữ liệu của tôi"). Rows are only ever added (the admin is read-only).
    """

    class Channel(models.TextChoices):
        PAGE = "page", _("Trang tra cứu")
        API = "api", _("API")
        INTAKE = "intake", _("Tiếp nhận hồ sơ (điền sẵn)")
        ONLINE = "online", _("Nộp hồ sơ trực tuyến (điền sẵn)")
        COMMAND = "command", _("Dòng lệnh")

    at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    registry = models.CharField(_("cơ sở dữ liệu"), max_length=40)
    object_id = models.CharField(_("mã bản ghi"), max_length=64)
    subject_key = models.CharField(_("số định danh / mã số thuế"), max_length=20)
    subject_repr = models.CharField(_("bản ghi"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người khai thác"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_repr = models.CharField(_("người khai thác"), max_length=200, blank=True)
    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agency_repr = models.CharField(_("cơ quan"), max_length=200, blank=True)
    purpose = models.CharField(_("mục đích"), max_length=300)
    reference = models.CharField(
        _("hồ sơ liên quan"),
        max_length=64,
        blank=True,
        help_text=_("Mã hồ sơ mà dữ liệu được dùng cho, khi đã có."),
    )
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    request_id = models.CharField(max_length=64, blank=True)
    #: The external system that read the data through the API (liên thông), if it was one.
    client_system = models.ForeignKey(
        "exchange_clients.ClientSystem",
        verbose_name=_("hệ thống kết nối"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DataAccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt khai thác dữ liệu")
        verbose_name_plural = _("nhật ký khai thác dữ liệu")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["subject_key", "-at"], name="registry_access_subject"),
            models.Index(fields=["actor", "-at"], name="registry_access_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_repr} → {self.subject_repr}"

    @property
    def purpose_text(self) -> str:
        """The purpose, with the dossier it served once known."""
        if self.reference and self.reference not in self.purpose:
            return f"{self.purpose} ({self.reference})"
        return self.purpose


# --- Import runs ----------------------------------------------------------------------------


class ImportJob(models.Model):
    """One file imported into a registry (lần nhập dữ liệu): uploaded, checked, imported.

    The file stays on disk between the check (row-level report shown to the user) and the
    confirmation; `errors` keeps the first errors of the report, `error_count` them all.
    """

    class Status(models.TextChoices):
        CHECKED = "checked", _("Đã kiểm tra")
        IMPORTED = "imported", _("Đã nhập")
        REJECTED = "rejected", _("Không nhập (tệp có lỗi)")
        FAILED = "failed", _("Lỗi khi nhập")

    registry = models.CharField(_("cơ sở dữ liệu"), max_length=40)
    file = models.FileField(_("tệp"), upload_to="registry-imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    file_format = models.CharField(_("định dạng"), max_length=4)
    sha256 = models.CharField(max_length=64, blank=True)
    owner = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan quản lý"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices)
    valid_only = models.BooleanField(_("chỉ nhập các dòng hợp lệ"), default=False)
    total_rows = models.PositiveIntegerField(_("số dòng"), default=0)
    valid_rows = models.PositiveIntegerField(_("số dòng hợp lệ"), default=0)
    error_count = models.PositiveIntegerField(_("số lỗi"), default=0)
    imported_rows = models.PositiveIntegerField(_("số dòng đã nhập"), default=0)
    errors = models.JSONField(_("lỗi (tối đa 1.000 lỗi đầu)"), default=list, blank=True)
    created_at = models.DateTimeField(_("thời điểm tải lên"), default=timezone.now)
    finished_at = models.DateTimeField(_("thời điểm nhập xong"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần nhập dữ liệu")
        verbose_name_plural = _("các lần nhập dữ liệu")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.registry} {self.original_name}"
