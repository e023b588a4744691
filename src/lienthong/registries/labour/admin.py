"""Admin of the labour registry (the shared registry admin: history and revert, soft delete
and restore, writes through the services)."""

from __future__ import annotations

from django.contrib import admin

from lienthong.registries.base.admin import DeletedFilter, RegistryAdmin
from lienthong.registries.labour.models import JobSeeker, Vacancy


@admin.register(JobSeeker)
class JobSeekerAdmin(RegistryAdmin):
    """Job seekers: searched by personal ID (exact) or name."""

    list_display = ("personal_id", "full_name", "occupation_codes", "commune", "status", "owner")
    list_filter = (DeletedFilter, "status", "education")  # type: ignore[assignment]
    search_fields = ("=personal_id", "search_text")
    raw_id_fields = ("owner",)


@admin.register(Vacancy)
class VacancyAdmin(RegistryAdmin):
    """Vacancies: searched by tax code (exact) or title and employer."""

    list_display = ("title", "employer_name", "occupation_code", "quantity", "deadline", "status")
    list_filter = (DeletedFilter, "status")  # type: ignore[assignment]
    search_fields = ("=employer_tax_code", "search_text")
    raw_id_fields = ("owner",)
