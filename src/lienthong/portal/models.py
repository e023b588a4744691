"""The public portal's data: news categories and articles, images, and the visit counters.

Counters are durable here; while the site runs they are counted in Redis (when configured)
and folded into these rows by `lienthong cong flush-counters` (see counters.py).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import AuditedModel


class Category(AuditedModel):
    """A news category — chuyên mục tin tức."""

    name = models.CharField(_("tên chuyên mục"), max_length=200, unique=True)
    slug = models.SlugField(_("đường dẫn"), max_length=220, unique=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("chuyên mục")
        verbose_name_plural = _("chuyên mục")

    def __str__(self) -> str:
        return self.name


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    REVIEW = "review", _("Chờ duyệt")
    PUBLISHED = "published", _("Đã xuất bản")


class ArticleQuerySet(models.QuerySet["Article"]):
    """Named filters for articles."""

    def live(self, now: datetime | None = None) -> ArticleQuerySet:
        """Published and due: what the public sees (a future `published_at` is scheduled)."""
        return self.filter(status=ArticleStatus.PUBLISHED, published_at__lte=now or timezone.now())

    def scheduled(self, now: datetime | None = None) -> ArticleQuerySet:
        """Published with a moment still ahead: shown once it passes."""
        return self.filter(status=ArticleStatus.PUBLISHED, published_at__gt=now or timezone.now())

    def newest_first(self) -> ArticleQuerySet:
        return self.order_by("-published_at", "-pk")


class Article(AuditedModel):
    """A news article — tin bài: written as a draft, reviewed, then published (maybe later)."""

    # The body is kept out of the audit log's before/after (it can be long); the counts change
    # by the counters' flush, not by an edit.
    audit_exclude = ("body", "view_count")

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("chuyên mục")
    )
    title = models.CharField(_("tiêu đề"), max_length=300)
    slug = models.SlugField(_("đường dẫn"), max_length=320, unique=True, allow_unicode=False)
    summary = models.TextField(_("tóm tắt"), blank=True)
    body = models.TextField(_("nội dung"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người viết"),
    )
    author_name = models.CharField(_("tác giả (hiển thị)"), max_length=200, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    published_at = models.DateTimeField(_("xuất bản lúc"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người duyệt"),
    )
    is_featured = models.BooleanField(_("tin nổi bật"), default=False)
    view_count = models.PositiveBigIntegerField(_("lượt xem"), default=0)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("tin bài")
        verbose_name_plural = _("tin bài")
        permissions = [("publish_article", _("Duyệt và xuất bản tin bài"))]
        indexes = [
            models.Index(
                fields=["-published_at"],
                name="portal_article_live_idx",
                condition=Q(status="published"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("portal:article", kwargs={"slug": self.slug})


class ArticleImage(models.Model):
    """An image uploaded for an article body, stored under media and served from there."""

    file = models.ImageField(_("tệp ảnh"), upload_to="portal/images/%Y/%m/")
    alt = models.CharField(_("mô tả ảnh"), max_length=300)
    kind = models.CharField(_("định dạng"), max_length=10, editable=False)  # jpeg, png, webp, gif
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ảnh tin bài")
        verbose_name_plural = _("ảnh tin bài")

    def __str__(self) -> str:
        return self.alt

    @property
    def url(self) -> str:
        """Where the public page loads it from: /cong/anh/<id>/ (media is not served raw)."""
        from django.urls import reverse

        return reverse("portal:image", kwargs={"pk": self.pk})


class SiteCounter(models.Model):
    """The site's durable numbers (one row): total visits and the page-cache generation."""

    total_visits = models.PositiveBigIntegerField(default=0)
    # Bumped after every editorial change: cached pages of an older generation are not served.
    generation = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.total_visits}"


class DailySalt(models.Model):
    """The random salt of one day for visitor hashes; deleted after the day (never the IPs)."""

    day = models.DateField(primary_key=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return str(self.day)


class FlushBatch(models.Model):
    """A batch of counts moved from Redis into the database, recorded so it is applied once."""

    batch_id = models.CharField(max_length=40, primary_key=True)
    applied_at = models.DateTimeField(default=timezone.now)
    views = models.PositiveBigIntegerField(default=0)
    visits = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.batch_id


class ViewMark(models.Model):
    """Without Redis: when a visitor hash last counted a view of an article (reload rule)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    visitor = models.CharField(max_length=32)
    counted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "visitor"], name="portal_viewmark_once")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}:{self.visitor}"


class Presence(models.Model):
    """Without Redis: when a visitor hash was last seen and when its visit began."""

    visitor = models.CharField(max_length=32, primary_key=True)
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.visitor
