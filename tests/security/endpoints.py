"""Every endpoint the platform serves: the URL resolver walked recursively (pages and the admin
site, named `namespace:name`) and the django-ninja operations (`METHOD /api/path`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Page:
    """One named URL pattern outside /api/."""

    name: str  # namespace:name
    route: str  # the pattern text, e.g. "motcua/ho-so/<str:code>/"
    view: str  # module.function, for messages

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str, namespace: str | None
) -> Iterator[Page]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            continue
        route = prefix + str(pattern.pattern)
        callback = pattern.callback
        view = f"{callback.__module__}.{getattr(callback, '__name__', type(callback).__name__)}"
        name = pattern.name or f"<unnamed {route or '/'}>"
        yield Page(name=f"{namespace}:{name}" if namespace else name, route=route, view=view)


def pages() -> list[Page]:
    """Every page, the admin site's included, except the API (its operations are listed apart).

    The root pattern ("" → portal.views.root) has no name; it is listed as `<unnamed />`.
    """
    found = _walk(get_resolver().url_patterns, "", None)
    return [p for p in found if not p.route.startswith("api/")]


def api_operations() -> list[str]:
    """Every API operation as `METHOD /api/path/{param}`, from the OpenAPI schema."""
    from lienthong.api import api

    schema = api.get_openapi_schema()
    return [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    ]
