"""The public portal in Chromium: axe-core finds no serious or critical WCAG 2.1 AA
violation on the main pages, at a phone's and a desktop's width, and nothing scrolls
sideways; screenshots of each are kept under var/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from lienthong.onestop.testing import make_procedure
from lienthong.portal import services
from lienthong.portal.tests.conftest import make_editor, published

from .conftest import Contexts

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
SCREENSHOTS = Path(settings.PROJECT_DIR) / "var" / "screenshots"
SIZES = {"mobile": (375, 812), "desktop": (1366, 768)}
AXE_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
  });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => v.id + " (" + v.impact + "): " + v.nodes.map((n) => n.target.join(" ")).join(", "));
}"""


@pytest.fixture
def site(transactional_db: Any) -> dict[str, str]:
    """Three articles (one featured, one with an image tag and a table), a procedure."""
    editor = make_editor()
    category = services.create_category(name="Tin tức nổi bật", by=editor)
    published(
        editor,
        category,
        "Tỉnh triển khai dịch vụ công toàn trình",
        is_featured=True,
        summary="Tóm tắt tin nổi bật.",
    )
    published(editor, category, "Hội nghị cải cách hành chính quý IV", summary="Tóm tắt.")
    article = published(
        editor,
        category,
        "Hướng dẫn tra cứu hồ sơ bằng mã QR",
        summary="Người dân quét mã QR trên giấy tiếp nhận.",
        body=(
            "<p>Nội dung hướng dẫn.</p><table><caption>Các bước</caption><thead><tr>"
            '<th scope="col">Bước</th><th scope="col">Việc</th></tr></thead><tbody><tr>'
            "<td>1</td><td>Quét mã QR</td></tr></tbody></table>"
        ),
    )
    procedure = make_procedure(code="1.001193")
    return {
        "home": "/cong/",
        "article": article.get_absolute_url(),
        "catalogue": "/cong/thu-tuc/",
        "procedure": f"/cong/thu-tuc/{procedure.code}/",
        "lookup": "/cong/tra-cuu/?ma=000.00.00.H99-250101-0001",
        "legal": "/cong/van-ban/",
        "statistics": "/cong/thong-ke/",
    }


@pytest.fixture
def sized(contexts: Contexts) -> Any:
    """Open a page at a size (through the shared `contexts`: other sites are refused)."""

    def open_at(width: int, height: int) -> Any:
        return contexts.page(viewport={"width": width, "height": height})

    return open_at


def test_main_pages_pass_axe_and_fit_phones_and_desktops(site: dict[str, str], sized: Any) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[str]] = {}
    for size, (width, height) in SIZES.items():
        tab = sized(width, height)
        for name, url in site.items():
            response = tab.goto(url)
            assert response is not None and response.status in (200, 404), (name, response)
            # Evaluated through the DevTools protocol: the page's CSP forbids inline scripts.
            tab.evaluate(AXE.read_text(encoding="utf-8"))
            violations = tab.evaluate(AXE_RUN)
            if violations:
                problems[f"{name}@{size}"] = violations
            scroll, inner = tab.evaluate(
                "[document.scrollingElement.scrollWidth, window.innerWidth]"
            )
            assert scroll <= inner, f"{name} scrolls sideways at {width}px: {scroll} > {inner}"
            shot = SCREENSHOTS / f"portal-{name}-{width}x{height}.png"
            tab.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 1000

    assert problems == {}


def test_statistics_chart_and_english_version(site: dict[str, str], sized: Any) -> None:
    tab = sized(1366, 768)
    tab.goto(site["statistics"])
    expect(tab.locator("#trend-chart svg")).to_be_visible()
    expect(tab.locator("#trend-table tbody tr")).to_have_count(12)

    tab.locator("#portal-language").click()

    expect(tab.locator("html")).to_have_attribute("lang", "en")
    assert tab.url.endswith("/cong/thong-ke/")
