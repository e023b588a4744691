"""The LGSP client against a fake gateway that is a real HTTP server (tests/fakes/lgsp.py):
client-credentials token cached and renewed on 401, paged lists stored, every call logged."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.fakes.lgsp import FakeLgsp

from lienthong.exchange.adapters import lgsp
from lienthong.exchange.adapters.models import SharedCode, SharedCodeList
from lienthong.exchange.messagelog.bodies import load
from lienthong.exchange.messagelog.models import MessageLogEntry
from lienthong.exchange.messagelog.services import verify

pytestmark = pytest.mark.django_db

UNITS = [
    {"ma": "74", "ten": "Tỉnh Bình Dương", "cap": "tinh"},
    {"ma": "25747", "ten": "Phường Thủ Dầu Một", "ma_cha": "74", "cap": "xa"},
    {"ma": "25750", "ten": "Phường Phú Lợi", "ma_cha": "74", "cap": "xa"},
]
AGENCIES = [{"ma": "000.00.00.H56", "ten": "UBND tỉnh Bình Dương"}]


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeLgsp]:
    lists = {"/dmdc/donvihanhchinh": list(UNITS), "/dmdc/coquan": list(AGENCIES)}
    with FakeLgsp(lists=lists, page_size=2) as server:
        assert isinstance(server, FakeLgsp)
        settings.LIENTHONG = {
            **settings.LIENTHONG,
            "LGSP_URL": server.url,
            "LGSP_TOKEN_URL": server.token_url,
            "LGSP_CLIENT_ID": "lienthong",
            "LGSP_CLIENT_SECRET": "bi-mat",
        }
        lgsp.forget_tokens()
        yield server
        lgsp.forget_tokens()


def test_a_list_is_fetched_page_by_page_and_stored(fake: FakeLgsp) -> None:
    code_list = lgsp.fetch_list("don-vi-hanh-chinh")

    assert (code_list.name, code_list.count) == ("don-vi-hanh-chinh", 3)
    assert fake.list_requests == [("/dmdc/donvihanhchinh", 1), ("/dmdc/donvihanhchinh", 2)]
    stored = [(c.code, c.name, c.parent_code) for c in lgsp.codes("don-vi-hanh-chinh")]
    assert stored == [
        ("25747", "Phường Thủ Dầu Một", "74"),
        ("25750", "Phường Phú Lợi", "74"),
        ("74", "Tỉnh Bình Dương", ""),
    ]
    assert SharedCode.objects.get(code="74").data == UNITS[0]


def test_the_token_is_cached_and_renewed_once_when_the_gateway_answers_401(
    fake: FakeLgsp,
) -> None:
    # given two fetches: one token serves both
    lgsp.fetch_list("don-vi-hanh-chinh")
    lgsp.fetch_list("co-quan")
    assert fake.token_requests == 1

    # when the gateway revokes its tokens
    fake.revoke_all()
    lgsp.fetch_list("co-quan")

    # then the client met one 401, took a new token and carried on
    assert (fake.unauthorised, fake.token_requests) == (1, 2)
    assert SharedCodeList.objects.get(name="co-quan").count == 1


def test_every_call_is_logged_in_chain_lgsp_without_the_token(fake: FakeLgsp) -> None:
    lgsp.fetch_list("co-quan")

    entries = list(MessageLogEntry.objects.filter(chain="lgsp").order_by("seq"))
    assert [(e.service, e.operation, e.status, e.outcome) for e in entries] == [
        ("lgsp.token", "token", 200, "ok"),
        ("lgsp/dmdc/coquan", "GET", 200, "ok"),
    ]
    token_answer = json.loads(load(entries[0].response_digest) or b"{}")
    assert token_answer["access_token"] == "***"
    assert b"bi-mat" not in (load(entries[0].request_digest) or b"")
    assert all(check.ok for check in verify(only=["lgsp"], bodies_too=True))


def test_a_refetch_replaces_the_list_and_an_unchanged_one_keeps_its_rows(
    fake: FakeLgsp,
) -> None:
    lgsp.fetch_list("don-vi-hanh-chinh")
    first_ids = set(SharedCode.objects.values_list("pk", flat=True))

    lgsp.fetch_list("don-vi-hanh-chinh")
    assert set(SharedCode.objects.values_list("pk", flat=True)) == first_ids

    fake.lists["/dmdc/donvihanhchinh"] = UNITS[:1]
    lgsp.fetch_list("don-vi-hanh-chinh")
    assert [c.code for c in lgsp.codes("don-vi-hanh-chinh")] == ["74"]
    assert SharedCodeList.objects.get(name="don-vi-hanh-chinh").count == 1


def test_a_wrong_secret_or_a_broken_list_changes_nothing(fake: FakeLgsp, settings: Any) -> None:
    lgsp.fetch_list("co-quan")
    before = list(SharedCode.objects.values_list("code", "name"))

    # a list with an entry without a name keeps the copy we have
    fake.lists["/dmdc/coquan"] = [{"ma": "000.00.00.H99"}]
    with pytest.raises(lgsp.LgspError, match="mục 1 thiếu mã hoặc tên"):
        lgsp.fetch_list("co-quan")
    assert list(SharedCode.objects.values_list("code", "name")) == before

    # a wrong secret: the gateway refuses the token, nothing is fetched
    settings.LIENTHONG = {**settings.LIENTHONG, "LGSP_CLIENT_SECRET": "sai"}
    lgsp.forget_tokens()
    with pytest.raises(lgsp.LgspError, match="HTTP 401"):
        lgsp.fetch_list("co-quan")
    assert list(SharedCode.objects.values_list("code", "name")) == before


def test_the_command_fetches_lists_and_refuses_an_unknown_one(fake: FakeLgsp) -> None:
    out = io.StringIO()
    call_command("lgsp", "fetch", "co-quan", stdout=out)
    assert "Đã lấy danh mục co-quan: 1 mục." in out.getvalue()

    with pytest.raises(CommandError, match="Không có danh mục khong-co"):
        call_command("lgsp", "fetch", "khong-co")

    listing = io.StringIO()
    call_command("lgsp", "lists", stdout=listing)
    assert listing.getvalue().startswith("co-quan\t1\t")


def test_without_settings_the_command_says_what_is_missing(settings: Any) -> None:
    settings.LIENTHONG = {**settings.LIENTHONG, "LGSP_URL": "", "LGSP_TOKEN_URL": ""}
    with pytest.raises(CommandError, match="LGSP_URL, LGSP_TOKEN_URL"):
        call_command("lgsp", "fetch", "co-quan")
    assert not SharedCodeList.objects.exists()
