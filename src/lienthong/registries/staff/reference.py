"""Loading the reference tables (salary scales, ranks, posts) from the package data.

Run by the app's migration (so a fresh database has them) and by
`lienthong staff load-reference` after the data files change. Idempotent: rows are matched by
code and updated only where the data differs; rows an administrator added are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lienthong.registries.staff.pay import reference_data


@dataclass
class LoadReport:
    """What a load changed, per table."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], table: str) -> None:
        bucket[table] = bucket.get(table, 0) + 1

    def summary(self) -> str:
        parts = [
            f"{table}: +{self.created.get(table, 0)} ~{self.updated.get(table, 0)}"
            for table in ("scales", "ranks", "positions")
        ]
        return ", ".join(parts)


def _upsert(model: Any, code: str, values: dict[str, Any], report: LoadReport, table: str) -> Any:
    obj = model.objects.filter(code=code).first()
    if obj is None:
        obj = model.objects.create(code=code, **values)
        report.count(report.created, table)
        return obj
    changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
    if changed:
        for k, v in changed.items():
            setattr(obj, k, v)
        obj.save(update_fields=list(changed))
        report.count(report.updated, table)
    return obj


def load_reference(models: Any = None) -> LoadReport:
    """Create or update scales, ranks and posts from `data/*.json`.

    `models` is the app registry a migration hands in (historical models); None means the
    current models.
    """
    if models is None:
        from django.apps import apps as models
    scale_model = models.get_model("staff", "SalaryScale")
    rank_model = models.get_model("staff", "Rank")
    position_model = models.get_model("staff", "Position")
    report = LoadReport()
    scales = {}
    for row in reference_data("scales")["scales"]:
        scales[row["code"]] = _upsert(
            scale_model,
            row["code"],
            {
                "name": row["name"],
                "raise_interval_months": row["raise_interval_months"],
                "coefficients": list(row["coefficients"]),
            },
            report,
            "scales",
        )
    for row in reference_data("ranks")["ranks"]:
        _upsert(
            rank_model,
            row["code"],
            {
                "name": row["name"],
                "kind": row["kind"],
                "scale": scales[row["scale"]],
                "sector": row.get("sector", "general"),
                "school_level": row.get("school_level", ""),
                "source": row.get("source", ""),
                "unconfirmed": bool(row.get("unconfirmed", False)),
            },
            report,
            "ranks",
        )
    for row in reference_data("positions")["positions"]:
        _upsert(
            position_model,
            row["code"],
            {"name": row["name"], "is_leadership": bool(row.get("is_leadership", True))},
            report,
            "positions",
        )
    return report
