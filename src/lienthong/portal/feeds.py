"""RSS feed of the latest news (/cong/rss.xml)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.utils.translation import gettext_lazy as _

from lienthong.portal.models import Article
from lienthong.portal.selectors import live_articles


class LatestNews(Feed):
    title = _("Tin tức mới nhất")
    link = "/cong/"
    description = _("Tin tức mới nhất của Cổng thông tin điện tử.")

    def items(self) -> list[Article]:
        return list(live_articles()[:30])

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary

    def item_pubdate(self, item: Article) -> datetime | None:
        return item.published_at
