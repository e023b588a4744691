"""Matching job seekers and vacancies (kết nối cung – cầu lao động), with the reasons why.

A score out of 100, from three parts (weights below, in `Weights`):

- occupation: the seeker wants the vacancy's exact occupation code (50), or another code of
  the same level-2 group (25). Candidates must share at least the group: a welder is not
  offered a nursing job because they live next door;
- skills: the share of the vacancy's required skills the seeker has, times 30 (a vacancy
  asking for none gives no skill points to anyone, so it does not reorder them);
- place: the same commune (20), else the same province (10).

Ties go to the older registration (seekers) or the nearer deadline (vacancies), then the id,
so the order is stable from one page to the next.

For a vacancy the ranking runs in the database over every active seeker of the group the
user may read (`rank_seekers`), on the narrow match index (`SeekerMatch`): the score is one
SQL expression and only the page asked for comes back, so it stays fast at province scale
(bench/bench_labour.py). The reasons (`explain`)
are computed in Python for the rows shown. For a seeker, the open vacancies of their groups
are few and are scored in Python (`rank_vacancies`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.registries.labour import catalogue, places
from lienthong.registries.labour.models import JobSeeker, SeekerMatch, Vacancy, visible_owners


@dataclass(frozen=True)
class Weights:
    """Points of each part of the score (they add up to 100)."""

    occupation_exact: int = 50
    occupation_group: int = 25
    skills: int = 30
    same_commune: int = 20
    same_province: int = 10


WEIGHTS = Weights()


@dataclass(frozen=True)
class Reason:
    """One line of the explanation: what matched and the points it gave."""

    kind: str  # occupation, skills, place
    points: int
    text: str
    matched: bool = True


@dataclass
class Match:
    """A ranked counterpart (a seeker for a vacancy, or a vacancy for a seeker)."""

    record: Any
    score: int
    reasons: list[Reason] = field(default_factory=list)
    matched_skills: list[str] = field(default_factory=list)
    missing_skills: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "reasons": [
                {"kind": r.kind, "points": r.points, "text": r.text, "matched": r.matched}
                for r in self.reasons
            ],
            "matched_skills": self.matched_skills,
            "missing_skills": self.missing_skills,
        }


def _skill_points(matched: int, required: int) -> int:
    """Skill points, rounded half up (2 of 3 skills → 20)."""
    if required == 0:
        return 0
    exact = Decimal(WEIGHTS.skills * matched) / Decimal(required)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def explain(
    *,
    vacancy_code: str,
    vacancy_skills: list[str],
    vacancy_commune: str,
    vacancy_province: str,
    seeker_codes: list[str],
    seeker_skills: list[str],
    seeker_commune: str,
    seeker_province: str,
) -> tuple[int, list[Reason], list[str], list[str]]:
    """The score of one seeker for one vacancy, with the reasons, matched and missing skills.

    Returns score 0 and no reasons when they do not share an occupation group (not a match).
    """
    reasons: list[Reason] = []
    group = vacancy_code[:2]
    group_name = catalogue.level2_names().get(group, "")
    if vacancy_code in seeker_codes:
        reasons.append(
            Reason(
                "occupation",
                WEIGHTS.occupation_exact,
                _("Đúng nghề %(code)s – %(name)s")
                % {
                    "code": vacancy_code,
                    "name": catalogue.occupation_name(vacancy_code),
                },
            )
        )
    else:
        same = [code for code in seeker_codes if code[:2] == group]
        if not same:
            return 0, [], [], []
        reasons.append(
            Reason(
                "occupation",
                WEIGHTS.occupation_group,
                _("Cùng nhóm nghề %(group)s – %(group_name)s (mong muốn %(codes)s)")
                % {
                    "group": group,
                    "group_name": group_name,
                    "codes": ", ".join(f"{c} – {catalogue.occupation_name(c)}" for c in same),
                },
            )
        )
    have = set(seeker_skills)
    matched = [s for s in vacancy_skills if s in have]
    missing = [s for s in vacancy_skills if s not in have]
    if vacancy_skills:
        text = _("Đáp ứng %(n)d/%(total)d kỹ năng yêu cầu") % {
            "n": len(matched),
            "total": len(vacancy_skills),
        }
        if matched:
            text += ": " + ", ".join(catalogue.skill_name(s) for s in matched)
        if missing:
            text += "; " + _("còn thiếu: %(skills)s") % {
                "skills": ", ".join(catalogue.skill_name(s) for s in missing)
            }
        reasons.append(
            Reason("skills", _skill_points(len(matched), len(vacancy_skills)), text, bool(matched))
        )
    else:
        reasons.append(Reason("skills", 0, _("Vị trí không yêu cầu kỹ năng cụ thể"), False))
    if seeker_commune and seeker_commune == vacancy_commune:
        reasons.append(
            Reason(
                "place",
                WEIGHTS.same_commune,
                _("Cùng xã, phường: %(place)s") % {"place": places.commune_name(vacancy_commune)},
            )
        )
    elif seeker_province and seeker_province == vacancy_province:
        reasons.append(Reason("place", WEIGHTS.same_province, _("Cùng tỉnh, thành phố")))
    else:
        reasons.append(Reason("place", 0, _("Khác tỉnh, thành phố"), False))
    score = sum(r.points for r in reasons)
    return score, reasons, matched, missing


def explain_pair(vacancy: Vacancy, seeker: JobSeeker) -> Match:
    """The match of one seeker for one vacancy (score 0, no reasons, when not a match)."""
    score, reasons, matched, missing = explain(
        vacancy_code=vacancy.occupation_code,
        vacancy_skills=vacancy.skills,
        vacancy_commune=vacancy.commune,
        vacancy_province=vacancy.province_code,
        seeker_codes=seeker.occupations,
        seeker_skills=seeker.skills,
        seeker_commune=seeker.commune,
        seeker_province=seeker.province_code,
    )
    return Match(seeker, score, reasons, matched, missing)


# --- A vacancy's seekers, ranked in the database -------------------------------------------


def seeker_candidates(vacancy: Vacancy, user: Any) -> QuerySet[SeekerMatch]:
    """Match-index rows of the active seekers `user` may read who want the vacancy's group."""
    rows = SeekerMatch.objects.filter(group=vacancy.occupation_group)
    owners = visible_owners(user)
    if owners is not None:
        rows = rows.filter(owner__in=owners.values("pk"))
    return rows


def ranked_candidates(vacancy: Vacancy, user: Any) -> QuerySet[SeekerMatch]:
    """`seeker_candidates` with `rank`, best first.

    `rank` orders exactly as the score does, in integers: every part is multiplied by the
    number of required skills R, so the skill share (matched / R × 30) needs no division.
    """
    required = vacancy.skills
    r = max(len(required), 1)
    occupation = Case(
        When(
            codes__contains=f" {vacancy.occupation_code} ", then=Value(WEIGHTS.occupation_exact * r)
        ),
        default=Value(WEIGHTS.occupation_group * r),
        output_field=IntegerField(),
    )
    place = Case(
        When(commune=vacancy.commune, then=Value(WEIGHTS.same_commune * r)),
        When(province=vacancy.province_code, then=Value(WEIGHTS.same_province * r)),
        default=Value(0),
        output_field=IntegerField(),
    )
    rank: Any = occupation + place
    for skill in required:
        rank = rank + Case(
            When(skills__contains=f" {skill} ", then=Value(WEIGHTS.skills)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return (
        seeker_candidates(vacancy, user)
        .annotate(rank=rank)
        .order_by(F("rank").desc(), "registered_on", "seeker_id")
    )


def rank_seekers(vacancy: Vacancy, user: Any, *, limit: int = 20, offset: int = 0) -> list[Match]:
    """One page of the seekers best matching `vacancy` among those `user` may read,
    explained: the ranking reads only the match index, then the page's seekers by id."""
    ids = list(
        ranked_candidates(vacancy, user).values_list("seeker_id", flat=True)[
            offset : offset + limit
        ]
    )
    seekers = JobSeeker.objects.in_bulk(ids)
    return [explain_pair(vacancy, seekers[pk]) for pk in ids if pk in seekers]


def count_seekers(vacancy: Vacancy, user: Any) -> int:
    """How many active seekers `user` may read share the vacancy's group."""
    return seeker_candidates(vacancy, user).count()


# --- A seeker's vacancies, ranked in Python ------------------------------------------------


def vacancy_candidates(
    seeker: JobSeeker, vacancies: QuerySet[Vacancy], *, on: datetime.date | None = None
) -> QuerySet[Vacancy]:
    """Open vacancies (on `on`, default today) in the seeker's occupation groups."""
    groups = list(dict.fromkeys(code[:2] for code in seeker.occupations))
    return vacancies.open_on(on or timezone.localdate()).in_groups(groups)  # type: ignore[attr-defined]


def rank_vacancies(
    seeker: JobSeeker,
    vacancies: QuerySet[Vacancy],
    *,
    limit: int = 20,
    offset: int = 0,
    on: datetime.date | None = None,
) -> tuple[int, list[Match]]:
    """(how many match, one page of them best first, explained) for a seeker."""
    matches = []
    for vacancy in vacancy_candidates(seeker, vacancies, on=on):
        match = explain_pair(vacancy, seeker)
        if match.score:
            matches.append(
                Match(
                    vacancy, match.score, match.reasons, match.matched_skills, match.missing_skills
                )
            )
    matches.sort(key=lambda m: (-m.score, m.record.deadline, m.record.pk))
    return len(matches), matches[offset : offset + limit]


__all__ = [
    "WEIGHTS",
    "Match",
    "Reason",
    "count_seekers",
    "explain",
    "explain_pair",
    "rank_seekers",
    "rank_vacancies",
    "ranked_candidates",
    "seeker_candidates",
    "vacancy_candidates",
]
