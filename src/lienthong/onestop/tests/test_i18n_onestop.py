"""The one-stop pages in English: the msgids are Vietnamese and English is the translation
(decision 0003); a browser asking for English gets the catalogue and the lookup in English."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from lienthong.onestop.testing import make_agency, make_dossier, make_procedure

pytestmark = pytest.mark.django_db

ENGLISH = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A response in English leaves English active in the test thread; give it back.
    with translation.override(settings.LANGUAGE_CODE):
        yield


def text_of(html: str) -> str:
    """The visible text of a page on single spaces (tags and scripts removed)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_catalogue_speaks_english_to_an_english_browser(client: Client) -> None:
    agency = make_agency("Ủy ban nhân dân phường Phú Cường")
    procedure = make_procedure(agencies=[agency], name="Thủ tục đăng ký giám hộ", time_limit=3)

    listing = client.get("/motcua/thu-tuc/", headers=ENGLISH)
    detail = client.get(f"/motcua/thu-tuc/{procedure.code}/", headers=ENGLISH)

    assert (listing.status_code, detail.status_code) == (200, 200)
    for response in (listing, detail):
        assert '<html lang="en">' in response.content.decode()
    shown = text_of(listing.content.decode())
    for label in ("Administrative procedures", "Keywords", "All fields", "Search procedures"):
        assert label in shown
    for vietnamese in ("Thủ tục hành chính", "Từ khóa", "Tìm thủ tục"):
        assert vietnamese not in shown
    shown = text_of(detail.content.decode())
    for label in (
        "Submit online",
        "General information",
        "Where dossiers are received",
        "Time limit 3 working days",
        "Dossier components",
        "Internal process",
        "60% of the time limit",
    ):
        assert label in shown, label
    # The data stays as the catalogue holds it
    assert "Thủ tục đăng ký giám hộ" in shown
    for vietnamese in ("Nộp hồ sơ trực tuyến", "Thành phần hồ sơ", "Thời hạn giải quyết"):
        assert vietnamese not in shown


def test_the_public_lookup_speaks_english_to_an_english_browser(client: Client) -> None:
    dossier = make_dossier()

    found = client.get("/tra-cuu/", {"ma": dossier.code}, headers=ENGLISH)
    missing = client.get("/tra-cuu/", {"ma": "000.00.00.H99-250101-0001"}, headers=ENGLISH)

    assert (found.status_code, missing.status_code) == (200, 404)
    shown = text_of(found.content.decode())
    for label in (
        "Look up a dossier's status",
        "Dossier code (printed on the receipt)",
        f"Dossier {dossier.code}",
        "Procedure",
        "Status In progress",
        "History",
        # The statuses are translated; the notes are shown as they were written (in Vietnamese,
        # when the dossier was received). The space before the colon is where a tag ended.
        f"Accepted : Hồ sơ được tiếp nhận; hẹn trả kết quả ngày {dossier.due_date:%d/%m/%Y}.",
    ):
        assert label in shown, label
    for vietnamese in ("Tra cứu tình trạng hồ sơ", "Trạng thái", "Được tiếp nhận", "Diễn biến"):
        assert vietnamese not in shown
    assert "No dossier has the code “000.00.00.H99-250101-0001”" in text_of(
        missing.content.decode()
    )


def test_notes_are_recorded_in_vietnamese_whatever_language_the_official_reads() -> None:
    # Given an official working in English
    with translation.override("en"):
        # When they receive a dossier at the counter and then accept an online one
        counter = make_dossier(channel="counter")
        online = make_dossier(channel="online")
    # Then the history notes, which the citizen and the record keep, are the Vietnamese ones
    notes = [h.public_note for h in counter.history.order_by("pk") if h.public_note]
    notes += [h.public_note for h in online.history.order_by("pk") if h.public_note]
    assert notes, "no note was written"
    due = f"{counter.due_date:%d/%m/%Y}"
    assert f"Hồ sơ được tiếp nhận; hẹn trả kết quả ngày {due}." in notes
    assert "Hồ sơ đã được nộp trực tuyến, chờ cán bộ một cửa tiếp nhận." in notes
    assert not any("dossier" in note.lower() for note in notes), notes
