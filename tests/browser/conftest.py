"""Browser tests: Playwright's sync API driving Debian's Chromium against a live server.

Never `playwright install`: the browser is the distribution's /usr/bin/chromium. Where it is
missing the tests skip with a message (CI installs it and fails on any skip).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lienthong.core.testing_browser import PASSWORD, log_in

__all__ = ["PASSWORD", "log_in"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


#: What Chromium reported as blocked by the Content-Security-Policy during the current test.
CSP_VIOLATIONS: list[str] = []


def _watch_csp(chromium: Any) -> None:
    """Every context of this browser reports CSP violations into CSP_VIOLATIONS."""
    new_context = chromium.new_context

    def watched(*args: Any, **kwargs: Any) -> Any:
        context = new_context(*args, **kwargs)

        def console(message: Any) -> None:
            if "Content Security Policy" in message.text:
                CSP_VIOLATIONS.append(message.text)

        context.on("console", console)
        return context

    chromium.new_context = watched


@pytest.fixture(autouse=True)
def _no_csp_violations() -> Iterator[None]:
    """A page that needs more than the CSP allows fails its test (tests/test_csp.py)."""
    CSP_VIOLATIONS.clear()
    yield
    assert CSP_VIOLATIONS == [], "Content-Security-Policy violations:\n" + "\n".join(CSP_VIOLATIONS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module."""
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is missing ({CHROMIUM}): apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an asyncio loop running in the test thread, and Django
        # then refuses ORM calls there. The test thread never shares a connection with async
        # code, so the guard is lifted for as long as the browser runs, and only then.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            _watch_csp(chromium)
            yield chromium
            chromium.close()


class Contexts:
    """Browser contexts on the live server, in Vietnamese and Asia/Ho_Chi_Minh; a request to any
    other site is refused and recorded, and `close()` fails the test if there was one."""

    def __init__(self, browser: Any, live_server: Any) -> None:
        self.browser, self.base = browser, live_server.url
        self.contexts: list[Any] = []
        self.outside: list[str] = []

    def _only_this_site(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.base) or url.startswith("data:"):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def page(self, **options: Any) -> Any:
        context = self.browser.new_context(
            base_url=self.base,
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
            accept_downloads=True,
            **options,
        )
        context.route("**/*", self._only_this_site)
        self.contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        return tab

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        assert self.outside == [], f"the pages tried to load from other sites: {self.outside}"


@pytest.fixture
def contexts(browser: Any, live_server: Any) -> Iterator[Contexts]:
    """Open as many browser contexts as the test needs (see `Contexts`)."""
    opened = Contexts(browser, live_server)
    yield opened
    opened.close()


@pytest.fixture
def page(contexts: Contexts) -> Any:
    """A fresh browser context on the live server; any request elsewhere fails the test."""
    return contexts.page()


@pytest.fixture
def open_as(contexts: Contexts) -> Callable[[str | None], Any]:
    """A browser context per person: logged in through the login page, or anonymous for None."""

    def open_(username: str | None) -> Any:
        tab = contexts.page()
        if username is not None:
            log_in(tab, username)
        return tab

    return open_
