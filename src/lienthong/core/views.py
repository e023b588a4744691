"""Home page: an official's inbox, a citizen's start page, a landing page for visitors.

Core sits below the apps that know what an official or a citizen works on, so the home page
offers a slot per kind of user that a higher app fills in its `AppConfig.ready` (the
workflow app puts the inbox there).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

HomeView = Callable[[HttpRequest], HttpResponse]

_home_views: dict[str, HomeView] = {}


def register_home(kind: str, view: HomeView) -> None:
    """Let an app render the home page of one kind of user ("official" or "citizen")."""
    _home_views[kind] = view


def home(request: HttpRequest) -> HttpResponse:
    """The page at /: depends on who is asking."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "core/home_landing.html")
    # Superusers created from the command line have no kind; they are treated as officials.
    kind = "citizen" if getattr(user, "is_citizen", False) else "official"
    if (view := _home_views.get(kind)) is not None:
        return view(request)
    return render(request, f"core/home_{kind}.html")


urlpatterns = [path("", home, name="home")]
