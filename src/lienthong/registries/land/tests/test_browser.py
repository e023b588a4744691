"""The map in a real browser (Debian's Chromium through Playwright): vendored Leaflet only,
parcels drawn for the view, commune points when zoomed out, a parcel's popup on click."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.core.testing_browser import log_in
from lienthong.registries.land.models import ParcelSummary
from lienthong.registries.land.testing import make_parcel, square

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module (skipped where Debian's Chromium is missing)."""
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is missing ({CHROMIUM}): apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            yield chromium
            chromium.close()


@pytest.fixture
def tab(browser: Any, live_server: Any) -> Iterator[Any]:
    """A browser tab on the live server; any request to another site fails the test."""
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    outside: list[str] = []

    def only_this_site(route: Any) -> None:
        if route.request.url.startswith(live_server.url) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_site)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert outside == [], f"the page tried to load from other sites: {outside}"


def test_map_draws_parcels_and_opens_a_popup(tab: Any, owner: OrgUnit, reader: User) -> None:
    for n in range(1, 4):
        make_parcel(
            owner,
            map_sheet=7,
            parcel_number=n,
            land_use="ONT+CLN",
            owners=[{"kind": "person", "id": "074185000123", "name": "Nguyễn Văn An"}],
            geometry=square(106.66 + n * 0.0003, 10.97, 0.00025),
        )
    ParcelSummary.objects.rebuild()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(tab, reader.username, next_url="/csdl/dat-dai/ban-do/")
    # The map fits the parcels (zoom ≥ 15): their shapes are drawn, not commune points.
    tab.wait_for_function(
        "() => document.getElementById('land-map').dataset.loaded === 'parcels:3'"
    )
    assert "3 thửa đất trong khung nhìn." in tab.locator("#land-map-status").inner_text()
    point = tab.evaluate(
        """() => {
            const map = document.getElementById('land-map').landMap;
            const p = map.latLngToContainerPoint([10.970125, 106.660725]);
            const box = document.getElementById('land-map').getBoundingClientRect();
            return {x: box.left + p.x, y: box.top + p.y};
        }"""
    )
    tab.mouse.click(point["x"], point["y"])
    popup = tab.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Thửa 2, tờ bản đồ 7" in popup.inner_text()
    tab.wait_for_function(
        "() => document.querySelector('.leaflet-popup-content').innerText.includes('074185000123')"
    )
    assert "ONT — Đất ở tại nông thôn" in popup.inner_text()
    assert "Phường Thủ Dầu Một" in popup.inner_text()
    # Zoomed out, the map shows one point per commune with its count.
    tab.evaluate("() => document.getElementById('land-map').landMap.setZoom(11)")
    tab.wait_for_function(
        "() => document.getElementById('land-map').dataset.loaded === 'communes:1'"
    )
    assert tab.locator(".land-commune-count").inner_text() == "3"
    assert errors == []
