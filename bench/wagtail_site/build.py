"""Load the bench's articles (a JSON file) into the Wagtail site: one index page at /news/
(and the site's root page replaced by it), one ArticlePage per article, all published."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
django.setup()

from django.utils.dateparse import parse_datetime  # noqa: E402
from news.models import ArticlePage, NewsIndexPage  # noqa: E402
from wagtail.models import Page, Site  # noqa: E402

with open(sys.argv[1], encoding="utf-8") as source:
    articles = json.load(source)
root = Page.get_first_root_node()
if not NewsIndexPage.objects.exists():
    index = root.add_child(instance=NewsIndexPage(title="Tin tức", slug="news"))
    site = Site.objects.get(is_default_site=True)
    site.root_page = index
    site.save()
    for item in articles:
        index.add_child(
            instance=ArticlePage(
                title=item["title"],
                slug=item["slug"],
                date=parse_datetime(item["published_at"]),
                summary=item["summary"],
                body=item["body"],
                author=item["author"],
            )
        )
print(ArticlePage.objects.live().count())
