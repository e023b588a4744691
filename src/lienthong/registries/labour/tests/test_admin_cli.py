"""The admin pages (history with revert) and the `lienthong labour reindex` command."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import Client

from lienthong.accounts.models import User
from lienthong.core.testing import make_user
from lienthong.core.testing_permissions import login
from lienthong.registries.base import services
from lienthong.registries.labour.models import SeekerMatch
from lienthong.registries.labour.testing import LabourWorld, make_seeker, make_vacancy


def test_reindex_command_rebuilds_the_match_index(world: LabourWorld) -> None:
    make_seeker(world.centre, occupation_codes="7212 8153")
    make_seeker(world.centre, occupation_codes="2512")
    SeekerMatch.objects.all().delete()
    out = io.StringIO()
    call_command("labour", "reindex", stdout=out)
    assert out.getvalue().strip() == "Đã dựng lại chỉ mục kết nối: 3 dòng."
    assert SeekerMatch.objects.count() == 3


def test_admin_lists_and_shows_history(client: Client, world: LabourWorld) -> None:
    seeker = make_seeker(world.centre)
    seeker.full_name = "Nguyễn Văn Bình"
    services.update_record(seeker, by=world.official)
    vacancy = make_vacancy(world.centre)
    admin = make_user("quantri-labour", is_superuser=True, is_staff=True, kind=User.Kind.OFFICIAL)
    login(client, admin)
    assert client.get("/admin/labour/jobseeker/").status_code == 200
    assert client.get("/admin/labour/vacancy/").status_code == 200
    response = client.get(f"/admin/labour/jobseeker/{seeker.pk}/history/")
    assert response.status_code == 200 and "Nguyễn Văn Bình" in response.content.decode()
    assert client.get(f"/admin/labour/vacancy/{vacancy.pk}/change/").status_code == 200
