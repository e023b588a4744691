"""The bench's Wagtail pages: an index listing the 20 newest articles, and articles."""

from django.db import models
from wagtail.fields import RichTextField
from wagtail.models import Page


class NewsIndexPage(Page):
    subpage_types = ["news.ArticlePage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["articles"] = (
            ArticlePage.objects.live().child_of(self).order_by("-date").specific()[:20]
        )
        return context


class ArticlePage(Page):
    date = models.DateTimeField()
    summary = models.TextField(blank=True)
    body = RichTextField(blank=True)
    author = models.CharField(max_length=200, blank=True)
