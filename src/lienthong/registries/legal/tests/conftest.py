"""Fixtures of the legal registry tests: real corpus files, loaded through the services.

Documents come from the shared corpus (LIENTHONG_LEGAL_DIR, default ../shared/data/legal).
Most tests load a few files copied into a temporary folder; a few load all 76.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from lienthong.accounts.models import Role, User
from lienthong.core.context import acting
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.registries.legal import services
from lienthong.registries.legal.models import LegalDocument

CORPUS = Path(os.environ.get("LIENTHONG_LEGAL_DIR", settings.SHARED_DIR / "data/legal"))

#: Small and telling documents: complaints (02/2011, 42/2013 ends part of it), denunciations
#: (25/2018 and its decree 31/2019, which names it), citizen reception decree 64/2014.
COMPLAINTS = ["02-2011-qh13", "42-2013-qh13", "25-2018-qh14", "31-2019-nd-cp", "64-2014-nd-cp"]


def copy_corpus(target: Path, slugs: list[str] | None = None) -> Path:
    """Copy corpus files (all of them, README aside, when `slugs` is None) into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    names = (
        [f"{slug}.md" for slug in slugs]
        if slugs is not None
        else [p.name for p in CORPUS.glob("*.md") if p.name != "README.md"]
    )
    for name in names:
        shutil.copy(CORPUS / name, target / name)
    return target


@pytest.fixture
def owner(db: Any) -> OrgUnit:
    """The agency that keeps the registry (the demo's Sở Tư pháp)."""
    return make_org_unit("Sở Tư pháp")


@pytest.fixture
def editor(owner: OrgUnit) -> User:
    """A registry owner of the keeping agency."""
    return make_user("bientap", roles=[(Role.REGISTRY_OWNER, owner)])


@pytest.fixture
def other_editor(db: Any) -> User:
    """A registry owner of another agency."""
    return make_user("bientapkhac", roles=[(Role.REGISTRY_OWNER, make_org_unit("Sở khác"))])


@pytest.fixture
def specialist(owner: OrgUnit) -> User:
    """An official of the same agency without the registry role."""
    return make_user("chuyenvien", roles=[(Role.SPECIALIST, owner)])


@pytest.fixture
def citizen(db: Any) -> User:
    return make_user("congdan", roles=[(Role.CITIZEN, None)])


@pytest.fixture
def load(tmp_path: Path, owner: OrgUnit) -> Callable[..., services.LoadReport]:
    """Load corpus files by slug (all of them with no argument), owned by `owner`."""

    def do(slugs: list[str] | None = None) -> services.LoadReport:
        folder = copy_corpus(tmp_path / f"corpus-{len(list(tmp_path.iterdir()))}", slugs)
        with acting(via="test"):
            return services.load_folder(folder, owner=owner)

    return do


@pytest.fixture
def complaints(load: Callable[..., services.LoadReport]) -> dict[str, LegalDocument]:
    """The complaint-related documents, by slug."""
    load(COMPLAINTS)
    return {d.slug: d for d in LegalDocument.objects.all()}
