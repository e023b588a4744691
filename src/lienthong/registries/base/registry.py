"""What the shared machinery needs to know about one kind of registry record.

A registry app describes each of its record models once, with a `RegistryType`, and
registers it in its `AppConfig.ready()`::

    register(RegistryType(
        key="population", slug="dan-cu", model=Person, label=_("Dân cư"), ...
    ))

The generic pages (`views`), API (`api.build_router`), import and export (`importing`,
`exporting`), history and revert (`services`, `admin`) and the command line
(`lienthong registry import|export|reindex`) all work from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.functional import Promise

#: A label: text, or lazily translated text (`gettext_lazy`).
StrOrPromise = str | Promise

if TYPE_CHECKING:
    from lienthong.registries.base.importing import CheckResult, Column, ImportContext, Spool
    from lienthong.registries.base.models import RegistryRecord


@dataclass(frozen=True)
class ListFilter:
    """A filter of the list page and the API: a query parameter mapped to a lookup.

    `lookup` is the ORM lookup the value is given to (e.g. "sex", "permanent_commune");
    `choices` (value, label) makes it a select; `apply` replaces the lookup when the filter
    is more than one equality.
    """

    name: str
    label: StrOrPromise
    lookup: str = ""
    choices: Callable[[], list[tuple[str, str]]] | None = None
    apply: Callable[[QuerySet[Any], str], QuerySet[Any]] | None = None

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        """`qs` narrowed by this filter's value (unchanged for an empty value)."""
        if value in ("", None):
            return qs
        if self.apply is not None:
            return self.apply(qs, value)
        return qs.filter(**{self.lookup or self.name: value})


@dataclass(frozen=True)
class ListColumn:
    """A column of the list page: a header and how to read the value from a row."""

    label: StrOrPromise
    value: Callable[[Any], Any]
    link: bool = False


@dataclass
class RegistryType:
    """One kind of registry record and how the shared machinery treats it."""

    #: Name in grants, events (`registry.<key>.created`), the API and the CLI.
    key: str
    #: URL segment of the pages under /csdl/ (e.g. "dan-cu").
    slug: str
    model: type[RegistryRecord]
    #: What one record is called, and many.
    label: str
    label_plural: str
    #: Import and export columns, in file order.
    columns: list[Column]
    #: The record's column values (attname → value) from one parsed import row, checked with
    #: the model's rules (raises ValidationError naming the fields at fault).
    build: Callable[[dict[str, Any], ImportContext], dict[str, Any]]
    #: The form of the edit page (a ModelForm over the record's data fields).
    form_class: type[forms.ModelForm[Any]]
    list_columns: list[ListColumn] = field(default_factory=list)
    filters: list[ListFilter] = field(default_factory=list)
    #: Related rows fetched with every list page (one query, not one per row).
    select_related: tuple[str, ...] = ()
    #: Related rows an export reads (household of a person, …).
    export_related: tuple[str, ...] = ()
    #: The column holding the natural key (duplicates in a file and against the table are
    #: errors), e.g. "personal_id".
    unique_column: str = ""
    #: The rows of the table already holding these natural keys.
    existing_keys: Callable[[Iterable[str]], set[str]] | None = None
    #: Called with each batch of built records just before they are inserted.
    before_insert: Callable[[list[Any], ImportContext], None] | None = None
    #: Other registry models the import hooks insert rows into (households of persons): their
    #: word index is filled once at the end too (`bulk.deferred_word_index`).
    also_inserts: tuple[type[Any], ...] = ()
    #: Called once after every batch of an import is in, in the same transaction.
    after_import: Callable[[ImportContext], None] | None = None
    #: Checks across rows once the whole file is read (a row naming another row), over the
    #: spooled rows that passed; it adds `RowError`s to the result.
    check_rows: Callable[[ImportContext, Spool, CheckResult], None] | None = None
    #: Writes the checked rows (batches of `build` values) instead of the bulk insert, for
    #: records spanning several tables (legal documents: text, index, relations); returns
    #: how many records it wrote. It runs in the import's transaction.
    write_rows: Callable[[ImportContext, Iterator[list[dict[str, Any]]]], int] | None = None
    #: A person's or organisation's key (personal ID, tax code): reads are logged against it.
    subject_key: Callable[[Any], str] | None = None
    #: Help shown on the import page (expected columns, formats).
    import_help: str = ""
    #: Extra context of the detail page (members of a household, …).
    detail_context: Callable[[Any], dict[str, Any]] | None = None
    #: The service that soft-deletes a record when the registry adds rules (default:
    #: `services.delete_record`).
    delete: Callable[..., Any] | None = None
    #: URL namespace of the registry's pages (default: the app label).
    url_namespace: str = ""

    @property
    def namespace(self) -> str:
        return self.url_namespace or str(self.model._meta.app_label)

    @property
    def grant(self) -> str:
        """The registry name read grants are given for (the model's `registry_key`)."""
        return self.model.registry_key

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def logs_access(self) -> bool:
        """Whether reading one record is logged (records about a person or organisation)."""
        return self.subject_key is not None


_registry: dict[str, RegistryType] = {}


def register(registry_type: RegistryType) -> RegistryType:
    """Make a registry type known to the shared pages, API, import and CLI."""
    if registry_type.key in _registry and _registry[registry_type.key] is not registry_type:
        raise ValueError(f"registry {registry_type.key!r} is registered twice")
    if not registry_type.model.registry_key:
        raise ValueError(f"{registry_type.model.__name__} has no registry_key")
    _registry[registry_type.key] = registry_type
    return registry_type


def get(key: str) -> RegistryType:
    """The registry type registered as `key` (KeyError if none)."""
    return _registry[key]


def all_types() -> list[RegistryType]:
    """Every registered registry type, by key."""
    return [_registry[key] for key in sorted(_registry)]


def for_model(model: type[Any]) -> RegistryType:
    """The registry type of a model class."""
    for registry_type in _registry.values():
        if registry_type.model is model:
            return registry_type
    raise KeyError(model.__name__)
