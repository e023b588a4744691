"""Pages of the labour registry under /csdl/lao-dong/: the home page and the matching pages.

Browsing, editing, history, import and export of seekers and vacancies are the shared
registry pages (`registries.base.views`, mounted in `urls.py`); this module adds what is
particular to the labour market:

- `/csdl/lao-dong/` — counts, the latest open vacancies, links;
- `/csdl/lao-dong/viec-lam/<id>/ket-noi/` — the job seekers best matching a vacancy, each
  with its score explained (needs read access to the seekers: their personal data);
- `/csdl/lao-dong/nguoi-tim-viec/<id>/ket-noi/` — the open vacancies best matching a seeker
  (a read of the seeker's record, logged with its purpose).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.permissions import get_visible_or_404, official_required
from lienthong.registries.base import access
from lienthong.registries.base.models import DataAccess
from lienthong.registries.labour import catalogue, matching
from lienthong.registries.labour.models import REGISTRY_KEY, JobSeeker, SeekerStatus, Vacancy

MATCH_PAGE_SIZE = 20


def can_read_seekers(user: Any) -> bool:
    """Whether `user` may see job seekers at all (the registry's officials, grantees)."""
    return access.can_read(user, REGISTRY_KEY)


def _require_seekers(user: Any) -> None:
    if not can_read_seekers(user):
        raise PermissionDenied(
            _("Chỉ cán bộ quản lý cơ sở dữ liệu lao động mới xem được người tìm việc.")
        )


def _page(request: HttpRequest) -> dict[str, Any]:
    """The page number asked for (1 for nonsense), and where it starts."""
    try:
        number = max(1, min(int(request.GET.get("page") or 1), 1000))
    except ValueError:
        number = 1
    offset = (number - 1) * MATCH_PAGE_SIZE
    return {"number": number, "has_previous": number > 1, "has_next": False, "offset": offset}


@official_required
def home_view(request: HttpRequest) -> HttpResponse:
    """The labour market at a glance: seekers and open vacancies the user may see."""
    today = timezone.localdate()
    vacancies = Vacancy.objects.visible_to(request.user).open_on(today)
    readable = can_read_seekers(request.user)
    seekers = JobSeeker.objects.visible_to(request.user) if readable else JobSeeker.objects.none()
    context = {
        "can_read_seekers": readable,
        "seeker_count": seekers.active().count() if readable else 0,
        "open_count": vacancies.count(),
        "latest": list(vacancies.order_by("-created_at", "-pk")[:10]),
    }
    return render(request, "labour/home.html", context)


@official_required
def vacancy_matches_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The job seekers best matching a vacancy, one page at a time, each score explained."""
    _require_seekers(request.user)
    vacancy: Vacancy = get_visible_or_404(Vacancy.objects, request.user, pk=pk)
    page = _page(request)
    matches = matching.rank_seekers(
        vacancy, request.user, limit=MATCH_PAGE_SIZE, offset=page["offset"]
    )
    total = matching.count_seekers(vacancy, request.user)
    page["has_next"] = page["offset"] + MATCH_PAGE_SIZE < total
    context = {
        "vacancy": vacancy,
        "vacancy_skills": [catalogue.skill_name(s) for s in vacancy.skills],
        "matches": matches,
        "page": page,
        "total": total,
        "weights": matching.WEIGHTS,
    }
    return render(request, "labour/vacancy_matches.html", context)


@official_required
def seeker_matches_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The open vacancies best matching a job seeker; the read of the seeker is logged."""
    _require_seekers(request.user)
    seeker: JobSeeker = get_visible_or_404(JobSeeker.objects, request.user, pk=pk)
    access.log_read(
        registry=REGISTRY_KEY,
        object_id=seeker.pk,
        subject_key=seeker.personal_id,
        subject_repr=str(seeker),
        by=request.user,
        purpose=_("Tư vấn, giới thiệu việc làm cho người lao động"),
        channel=DataAccess.Channel.PAGE,
    )
    page = _page(request)
    total, matches = matching.rank_vacancies(
        seeker,
        Vacancy.objects.visible_to(request.user),
        limit=MATCH_PAGE_SIZE,
        offset=page["offset"],
    )
    page["has_next"] = page["offset"] + MATCH_PAGE_SIZE < total
    context = {
        "seeker": seeker,
        "occupation_labels": [f"{c} – {catalogue.occupation_name(c)}" for c in seeker.occupations],
        "matches": matches,
        "total": total,
        "page": page,
        "active": seeker.status == SeekerStatus.ACTIVE,
        "weights": matching.WEIGHTS,
    }
    return render(request, "labour/jobseeker_matches.html", context)
