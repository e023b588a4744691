"""Before `lienthong units load` has run: every way in says so instead of failing oddly."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from lienthong.core.models import AdminUnit
from lienthong.core.units import UnitsNotLoaded, parse_address

MESSAGE = "Chưa nạp đơn vị hành chính. Hãy chạy: lienthong units load"
ADDRESS = "phuong phu cuong, tp thu dau mot, binh duong"


@pytest.mark.django_db
def test_parse_says_to_load_units() -> None:
    assert AdminUnit.objects.count() == 0
    with pytest.raises(UnitsNotLoaded) as caught:
        parse_address(ADDRESS)
    assert str(caught.value) == MESSAGE


@pytest.mark.django_db
def test_cli_says_to_load_units() -> None:
    with pytest.raises(CommandError) as caught:
        call_command("units", "parse", ADDRESS)
    assert str(caught.value) == MESSAGE


@pytest.mark.django_db
def test_api_answers_503_with_the_message(client: Client) -> None:
    response = client.get("/api/core/units/parse", {"address": ADDRESS})
    assert response.status_code == 503
    assert response.json() == {"detail": MESSAGE}


@pytest.mark.django_db
def test_page_shows_the_message(client: Client) -> None:
    response = client.get("/units/", {"address": ADDRESS})
    assert response.status_code == 503
    assert MESSAGE in response.content.decode()
