"""The editors' desk: articles, categories and images in the admin, through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from lienthong.portal import services
from lienthong.portal.models import Article, ArticleImage, Category

EDITABLE = ("category", "title", "summary", "body", "author_name", "is_featured")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order")
    readonly_fields = ("slug",)

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.create_category(name=obj.name, order=obj.order, by=request.user)
        obj.pk, obj.slug = created.pk, created.slug


def _run(request: HttpRequest, articles: QuerySet[Article], action: Any, done: str) -> None:
    moved = 0
    for article in articles:
        try:
            action(article, by=request.user)
            moved += 1
        except (services.WrongState, PermissionDenied) as exc:
            messages.error(request, f"{article.title}: {exc}")
    if moved:
        messages.success(request, f"{done}: {moved}")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "status", "published_at", "is_featured", "view_count")
    list_filter = ("status", "category", "is_featured")
    search_fields = ("title", "slug")
    date_hierarchy = "published_at"
    fields = (*EDITABLE, "slug", "status", "published_at", "view_count")
    readonly_fields = ("slug", "status", "published_at", "view_count")
    actions = ["submit", "publish", "send_back"]

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        try:
            if change:
                changes = {
                    name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE
                }
                if changes:
                    services.update_article(obj, by=request.user, **changes)
            else:
                created = services.create_article(
                    **{name: form.cleaned_data[name] for name in EDITABLE}, by=request.user
                )
                obj.pk, obj.slug = created.pk, created.slug
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))

    @admin.action(description=_("Gửi duyệt"))
    def submit(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        _run(request, queryset, services.submit_for_review, str(_("Đã gửi duyệt")))

    @admin.action(description=_("Duyệt và xuất bản ngay"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        _run(request, queryset, services.publish_article, str(_("Đã xuất bản")))

    @admin.action(description=_("Trả về bản nháp / gỡ xuống"))
    def send_back(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        _run(request, queryset, services.return_to_draft, str(_("Đã trả về bản nháp")))


@admin.register(ArticleImage)
class ArticleImageAdmin(admin.ModelAdmin):
    list_display = ("alt", "address", "uploaded_at")
    readonly_fields = ("address",)

    @admin.display(description=_("Địa chỉ để chèn vào bài"))
    def address(self, obj: ArticleImage) -> str:
        return format_html("<code>{}</code>", obj.url) if obj.pk else ""

    def save_model(self, request: HttpRequest, obj: ArticleImage, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.upload_image(
            file=form.cleaned_data["file"], alt=form.cleaned_data["alt"], by=request.user
        )
        obj.pk, obj.file = created.pk, created.file
