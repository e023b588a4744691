"""The public pages through the fast path: cached, counted exactly, in two languages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lienthong.onestop.catalogue import index_procedure
from lienthong.onestop.models import Field, Procedure
from lienthong.portal import selectors, services
from lienthong.portal.tests.conftest import BROWSER_UA, published

pytestmark = pytest.mark.django_db


def browser(n: int = 1, **extra: Any) -> Client:
    return Client(HTTP_USER_AGENT=f"{BROWSER_UA} #{n}", **extra)


def test_home_shows_featured_and_latest_news_with_the_counters(
    store_kind: str, editor: Any, category: Any
) -> None:
    published(editor, category, "Tin nổi bật một", is_featured=True)
    published(editor, category, "Tin thường hai")
    published(editor, category, "Tin hẹn giờ ba", at=timezone.now() + timedelta(hours=1))
    draft = services.create_article(category=category, title="Bản nháp bốn", by=editor)

    response = browser().get("/cong/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Tin nổi bật một" in html and "Tin thường hai" in html
    assert "Tin hẹn giờ ba" not in html and draft.title not in html
    assert '<strong id="online-count">1</strong>' in html
    assert '<strong id="total-count">1</strong>' in html
    assert "<!--lt:" not in html


def test_an_article_is_served_from_the_cache_with_exact_view_counts(
    store_kind: str, editor: Any, category: Any, django_capture_on_commit_callbacks: Any
) -> None:
    article = published(editor, category, "Tin có lượt xem", body="<p>Nội dung</p>")
    url = f"/cong/tin/{article.slug}/"

    first = browser(1).get(url)
    reload = browser(1).get(url)
    second = browser(2).get(url)
    robot = Client(HTTP_USER_AGENT="Googlebot/2.1").get(url)

    assert first.templates and not reload.templates and not second.templates  # cached
    assert 'Lượt xem: <strong id="view-count">1</strong>' in first.content.decode()
    assert 'Lượt xem: <strong id="view-count">1</strong>' in reload.content.decode()
    assert 'Lượt xem: <strong id="view-count">2</strong>' in second.content.decode()
    assert 'Lượt xem: <strong id="view-count">2</strong>' in robot.content.decode()
    assert second["Content-Length"] == str(len(second.content))
    assert second["X-Frame-Options"] == "DENY"
    with django_capture_on_commit_callbacks(execute=True):
        services.update_article(article, title="Tin đã sửa", by=editor)  # a change: new pages
    assert "Tin đã sửa" in browser(3).get(url).content.decode()
    assert services.get_store().article_views(article.pk) == 3


def test_other_query_strings_are_counted_but_never_cached(
    redis_prefix: str, editor: Any, category: Any
) -> None:
    article = published(editor, category, "Tin có tham số")
    url = f"/cong/tin/{article.slug}/?utm_source=zalo"

    first = browser(1).get(url)
    second = browser(2).get(url)

    assert first.templates and second.templates  # rendered twice: not stored
    assert 'Lượt xem: <strong id="view-count">2</strong>' in second.content.decode()
    assert not services.get_store().client.keys(redis_prefix + "page:*")  # type: ignore[attr-defined]


def test_publishing_shows_the_news_at_once_although_the_home_page_was_cached(
    store_kind: str, editor: Any, category: Any, django_capture_on_commit_callbacks: Any
) -> None:
    published(editor, category, "Tin cũ")
    assert "Tin cũ" in browser().get("/cong/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        published(editor, category, "Tin vừa đăng")
    html = browser().get("/cong/").content.decode()

    assert "Tin vừa đăng" in html


def test_the_cache_never_outlives_the_next_scheduled_publication(
    editor: Any, category: Any
) -> None:
    now = timezone.now()
    published(editor, category, "Tin đăng sau", at=now + timedelta(seconds=40))

    assert selectors.cache_seconds(now=now) == 41
    assert selectors.cache_seconds(now=now - timedelta(hours=1)) == selectors.PAGE_TTL


def test_drafts_and_scheduled_articles_are_not_found(editor: Any, category: Any) -> None:
    draft = services.create_article(category=category, title="Chưa đăng", by=editor)
    later = published(editor, category, "Đăng ngày mai", at=timezone.now() + timedelta(days=1))

    assert browser().get(f"/cong/tin/{draft.slug}/").status_code == 404
    assert browser().get(f"/cong/tin/{later.slug}/").status_code == 404
    assert services.get_store().article_views(later.pk) == 0


def test_english_is_chosen_by_the_language_switch_and_cached_apart(
    redis_prefix: str, editor: Any, category: Any
) -> None:
    client = browser()
    switched = client.get("/cong/ngon-ngu/?lang=en&next=/cong/thong-ke/")
    english = client.get("/cong/")
    vietnamese = browser(2).get("/cong/")

    assert (switched.status_code, switched["Location"]) == (302, "/cong/thong-ke/")
    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="vi">' in vietnamese.content.decode()
    assert vietnamese.templates  # not the English page from the cache
    offsite = client.get("/cong/ngon-ngu/?lang=en&next=https://example.org/")
    assert offsite["Location"] == "/cong/"


def test_service_pages_read_the_other_apps(editor: Any, category: Any) -> None:
    procedure = Procedure.objects.create(
        code="1.000001.000.00.00.H99",
        name="Đăng ký khai sinh",
        field=Field.objects.create(code="HT", name="Hộ tịch"),
        fee_text="Miễn lệ phí",
    )
    index_procedure(procedure)

    catalogue = browser().get("/cong/thu-tuc/")
    searched = browser().get("/cong/thu-tuc/?q=khai+sinh")
    detail = browser().get("/cong/thu-tuc/1.000001.000.00.00.H99/")
    lookup = browser().get("/cong/tra-cuu/?ma=000.00.00.H99-250101-0001")
    legal = browser().get("/cong/van-ban/")
    stats = browser().get("/cong/thong-ke/")

    assert "Đăng ký khai sinh" in catalogue.content.decode()
    assert "Đăng ký khai sinh" in searched.content.decode()
    assert (
        "Không có thủ tục phù hợp." in browser().get("/cong/thu-tuc/?q=xay+dung").content.decode()
    )
    detail_html = detail.content.decode()
    assert "Miễn lệ phí" in detail_html
    assert 'href="/motcua/nop-ho-so/1.000001.000.00.00.H99/"' in detail_html
    assert lookup.status_code == 404
    assert "Hãy kiểm tra lại mã in trên giấy tiếp nhận." in lookup.content.decode()
    assert legal.status_code == 200
    assert stats.status_code == 200
    assert 'id="trend-table"' in stats.content.decode()
    assert browser().get("/cong/thu-tuc/khong-co/").status_code == 404


def test_sitemap_and_feed_list_live_articles_only(editor: Any, category: Any) -> None:
    live = published(editor, category, "Tin trong sơ đồ")
    later = published(editor, category, "Tin chưa tới giờ", at=timezone.now() + timedelta(days=1))

    sitemap = browser().get("/cong/sitemap.xml").content.decode()
    feed = browser().get("/cong/rss.xml").content.decode()

    assert f"/cong/tin/{live.slug}/" in sitemap and f"/cong/tin/{later.slug}/" not in sitemap
    assert "Tin trong sơ đồ" in feed and "Tin chưa tới giờ" not in feed


def test_visitors_of_the_root_go_to_the_portal_unless_it_is_moved_away(settings: Any) -> None:
    moved = browser().get("/")
    assert (moved.status_code, moved["Location"]) == (302, "/cong/")

    settings.LIENTHONG = {**settings.LIENTHONG, "PORTAL_AT_ROOT": False}
    assert browser().get("/").templates[0].name == "core/home_landing.html"


def test_the_fast_path_steps_aside_for_the_https_redirect(
    settings: Any, editor: Any, category: Any
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    published(editor, category, "Tin qua HTTPS")

    secure = browser().get("/cong/", secure=True)  # now cached
    plain = browser().get("/cong/")

    assert (plain.status_code, plain["Location"]) == (301, "https://testserver/cong/")
    assert secure.status_code == 200
    assert "Tin qua HTTPS" in secure.content.decode()
