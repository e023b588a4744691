"""Reading corpus files and the relations a document's own text states.

**Files** (`read_file`, `parse_document`): UTF-8 Markdown, a front-matter block between two
`---` lines, then the body. Each front-matter line is `key: "value"` (a JSON string, so
`\\"` escapes a quote) or `key: value`; dates are `YYYY-MM-DD`. Required: number, type,
issuer, title. A file that breaks a rule raises `FrontMatterError` naming the file, the line
and the rule, in Vietnamese.

**Relations** (`extract_relations`): only what the text says in set phrases, so that a
relation read is a relation meant:

- *replaces / partly replaces*: "Quyết định (Luật, …) này … thay thế Quyết định số X", and
  a sentence "… số X … hết hiệu lực (thi hành) kể từ ngày Luật
  (Nghị định, …) này có hiệu lực" — every number before "hết hiệu lực", except those of the
  documents that amended it ("đã được sửa đổi, bổ sung … theo Luật số Y") and those in
  parentheses; a number whose own phrase names a part ("Chương V của Luật …", "Những quy
  định về … tại …") is *partly replaced*. "Bãi bỏ Điều 10 của Luật … số X" is a partial
  repeal too, "Bãi bỏ Luật … số X" a whole one.
- *amends*: a sentence (an article heading or an item) that begins "Sửa đổi, bổ sung …" and
  names "của/tại <Luật, Nghị định, …> … số X" before "như sau".
- *guides*: a title "… hướng dẫn / quy định chi tiết … số X" or "… thi hành Luật Tố cáo" (a
  name, resolved by the registry against titles).
- *based on*: the preamble's "Căn cứ Luật … số X;" or "Căn cứ Luật Tổ chức Chính phủ ngày 19
  tháng 6 năm 2015;" (a name and a date, resolved by the registry).

Relations to documents outside the registry are kept by their number.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from lienthong.core.text import fold
from lienthong.registries.legal.models import DocumentType, RelationKind
from lienthong.registries.legal.numbers import NUMBER_IN_TEXT, number_key

#: Front-matter keys a file may carry, and those it must.
KNOWN_KEYS = frozenset(
    {
        "number",
        "type",
        "issuer",
        "issued_date",
        "effective_date",
        "expiry_date",
        "effective_note",
        "title",
        "source",
        "source_url",
        "text_form",
        "status",
    }
)
REQUIRED_KEYS = ("number", "type", "issuer", "title")
#: Front matter longer than this is not front matter (a missing closing line).
MAX_FRONT_MATTER_LINES = 100

_TYPES_BY_NAME = {fold(str(label)): value for value, label in DocumentType.choices}
_KEY_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*?)\s*$")


class FrontMatterError(ValueError):
    """A corpus file that cannot be read as a document: which file, which line, what rule."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


def document_type(name: str) -> str | None:
    """The `DocumentType` of an official name ("Luật", "Nghị định", "nghi dinh"), or None."""
    folded = fold(name)
    if folded in DocumentType.values:
        return folded
    return _TYPES_BY_NAME.get(folded)


@dataclass
class DocumentData:
    """The values of one document, as a file (or a form) gives them."""

    number: str
    doc_type: str
    issuer: str
    title: str
    text: str = ""
    issued_date: datetime.date | None = None
    effective_date: datetime.date | None = None
    expiry_date: datetime.date | None = None
    effective_note: str = ""
    source: str = ""
    source_url: str = ""
    text_form: str = ""
    status: str = ""
    digest: str = ""
    path: str = ""


def _value(raw: str, path: str, line: int) -> str:
    if raw.startswith('"'):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            raise FrontMatterError(
                path, _("giá trị trong ngoặc kép không hợp lệ: %(raw)s") % {"raw": raw[:80]}, line
            ) from None
        if not isinstance(value, str):
            raise FrontMatterError(path, _("giá trị phải là chuỗi ký tự."), line)
        return value
    return raw


def _date(values: dict[str, tuple[str, int]], key: str, path: str) -> datetime.date | None:
    if key not in values or not values[key][0]:
        return None
    raw, line = values[key]
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise FrontMatterError(
            path,
            _("%(key)s “%(raw)s” không phải ngày dạng YYYY-MM-DD.") % {"key": key, "raw": raw},
            line,
        ) from None


def parse_document(content: str, *, path: str = "", digest: str = "") -> DocumentData:
    """Read one file's text into `DocumentData`; FrontMatterError if it breaks a rule."""
    lines = content.split("\n")
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError(path, _("tệp không bắt đầu bằng dòng “---” của phần thông tin."), 1)
    values: dict[str, tuple[str, int]] = {}
    end = None
    for index, line in enumerate(lines[1 : MAX_FRONT_MATTER_LINES + 1], start=2):
        if line.strip() == "---":
            end = index
            break
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _KEY_LINE.match(line)
        if match is None:
            raise FrontMatterError(
                path, _("dòng không có dạng “khóa: giá trị”: %(line)s") % {"line": line[:80]}, index
            )
        key, raw = match.groups()
        if key not in KNOWN_KEYS:
            raise FrontMatterError(path, _("khóa không được hỗ trợ: %(key)s") % {"key": key}, index)
        if key in values:
            raise FrontMatterError(path, _("khóa %(key)s lặp lại.") % {"key": key}, index)
        values[key] = (_value(raw, path, index), index)
    if end is None:
        raise FrontMatterError(path, _("thiếu dòng “---” kết thúc phần thông tin."))
    missing = [key for key in REQUIRED_KEYS if not values.get(key, ("", 0))[0].strip()]
    if missing:
        raise FrontMatterError(path, _("thiếu %(keys)s.") % {"keys": ", ".join(missing)})
    doc_type = document_type(values["type"][0])
    if doc_type is None:
        raise FrontMatterError(
            path,
            _("loại văn bản “%(type)s” không có trong danh mục (%(known)s).")
            % {
                "type": values["type"][0],
                "known": ", ".join(str(label) for label in DocumentType.labels),
            },
            values["type"][1],
        )
    number = values["number"][0].strip()
    if not any(ch.isdigit() for ch in number_key(number)):
        raise FrontMatterError(
            path, _("số, ký hiệu “%(number)s” không có chữ số.") % {"number": number}
        )
    status = values.get("status", ("", 0))
    if status[0] and status[0] not in {"in_force", "partly_amended", "expired", "not_yet_in_force"}:
        raise FrontMatterError(
            path, _("tình trạng “%(status)s” không hợp lệ.") % {"status": status[0]}, status[1]
        )
    body = "\n".join(lines[end:]).strip("\n")
    return DocumentData(
        number=number,
        doc_type=doc_type,
        issuer=values["issuer"][0].strip(),
        title=" ".join(values["title"][0].split()),
        text=body,
        issued_date=_date(values, "issued_date", path),
        effective_date=_date(values, "effective_date", path),
        expiry_date=_date(values, "expiry_date", path),
        effective_note=values.get("effective_note", ("", 0))[0].strip(),
        source=values.get("source", ("", 0))[0].strip(),
        source_url=values.get("source_url", ("", 0))[0].strip(),
        text_form=values.get("text_form", ("", 0))[0].strip(),
        status=status[0],
        digest=digest,
        path=path,
    )


def read_file(path: Path) -> DocumentData:
    """Read and parse one corpus file (FrontMatterError names the file if it is bad)."""
    import hashlib

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FrontMatterError(
            path.name, _("không đọc được tệp: %(error)s") % {"error": exc.strerror}
        ) from None
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FrontMatterError(path.name, _("tệp không phải văn bản UTF-8.")) from None
    content = content.replace("\r\n", "\n").lstrip("\ufeff")
    return parse_document(content, path=path.name, digest=hashlib.sha256(raw).hexdigest())


# --- Relations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FoundRelation:
    """A relation the text states: to a number, or to a name (and date) to resolve."""

    kind: str
    number: str = ""
    name: str = ""
    date: datetime.date | None = None
    note: str = field(default="", compare=False)


_TYPE_WORDS = (
    r"(?:Bộ luật|Luật|Nghị định|Thông tư liên tịch|Thông tư|Quyết định|Nghị quyết|Pháp lệnh)"
)
_MARKDOWN_LINK = re.compile(r"\[([^\]\n]{1,200})\]\((?:https?://[^)\s]+)\)")
_SENTENCE_END = re.compile(r"(?<=[.;])\s+")
_ENUMERATOR = re.compile(r"^(?:\d+[.)]|[a-zđ][)]|Điều\s+\d+[a-zđ]?\.)\s*")
_EXPIRES = re.compile(
    r"hết hiệu lực(?: thi hành)?(?: kể)? từ (?:ngày|khi) " + _TYPE_WORDS + r" này",
    re.IGNORECASE,
)
# "… đã được sửa đổi, bổ sung một số điều theo Luật số A, Luật số B và Bộ luật số C": the
# documents after "theo" amended the one expiring; they are not what expires.
_AMENDED_BY = re.compile(
    r"(?:đã được |được )?sửa đổi,? bổ sung[^;]*?\btheo\s+"
    r"(?:" + _TYPE_WORDS + r"\s+số\s+[^\s,;()]+(?:\s*,\s*|\s+và\s+)?)+",
    re.IGNORECASE,
)
_PARENTHESES = re.compile(r"\([^()]*\)")
# Case matters: "Điều 5", "Chương IX" name parts; "một số điều của" does not.
_PART = re.compile(
    r"\b(?:Chương|Mục|Điều|khoản|điểm|Phần)\s+[\dIVXLC]+\b"
    r"|\b[Qq]uy định về\b|\b[Cc]ác quy định\b|\b[Nn]hững quy định\b"
)
# "Quyết định này có hiệu lực từ … và thay thế Quyết định số 01/2015/QĐ-UBND …"
_REPLACES_OWN = re.compile(
    r"\b" + _TYPE_WORDS + r" này\b[^;]{0,200}?\bthay thế\s+(?P<rest>.*)$", re.IGNORECASE
)
_AMENDS_START = re.compile(r"^sửa đổi(?:,? bổ sung)?\b", re.IGNORECASE)
_REPEALS_START = re.compile(r"^bãi bỏ\b", re.IGNORECASE)
_OF_DOCUMENT = re.compile(
    r"\b(?:của|tại)\s+(?:các\s+)?"
    + _TYPE_WORDS
    + r"\b[^;:]*?\bsố\s+("
    + NUMBER_IN_TEXT.pattern
    + ")"
)
_AS_FOLLOWS = re.compile(r"\bnhư sau\b|:")
_BASED_ON = re.compile(r"^Căn cứ\s+(?!vào\b)")
_NAMED_ON = re.compile(
    r"^Căn cứ\s+(?P<name>" + _TYPE_WORDS + r"\s[^;]*?)\s+ngày\s+(?P<d>\d{1,2})\s+tháng\s+"
    r"(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})"
)
_GUIDES_TITLE = re.compile(r"\b(?:hướng dẫn|quy định chi tiết)\b", re.IGNORECASE)
_NAMED_IN_TITLE = re.compile(r"\b(?:thi hành|của)\s+(?P<name>" + _TYPE_WORDS + r"\s.+)$")
_FIRST_ARTICLE = re.compile(r"\bĐiều\s+1\.")
#: A note keeps this much of the sentence that stated the relation.
NOTE_LENGTH = 300


def flatten(text: str) -> str:
    """The text as one line: Markdown links reduced to their text, white space collapsed."""
    return " ".join(_MARKDOWN_LINK.sub(r"\1", text).split())


def sentences(text: str) -> list[str]:
    """Sentences of a flattened text, cut after "." and ";" (numbers and dates stay whole)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _note(sentence: str) -> str:
    return sentence if len(sentence) <= NOTE_LENGTH else sentence[: NOTE_LENGTH - 1] + "…"


def _expiring(sentence: str, own_key: str) -> list[FoundRelation]:
    match = _EXPIRES.search(sentence)
    if match is None:
        return []
    head = _PARENTHESES.sub(" ", sentence[: match.start()])
    head = _AMENDED_BY.sub(" ", head)
    found: list[FoundRelation] = []
    cursor = 0
    for number_match in NUMBER_IN_TEXT.finditer(head):
        number = number_match.group(1)
        segment = head[cursor : number_match.start()]
        cursor = number_match.end()
        if number_key(number) == own_key:
            continue
        partial = _PART.search(segment) is not None
        kind = RelationKind.PARTLY_REPLACES if partial else RelationKind.REPLACES
        found.append(FoundRelation(kind=kind, number=number, note=_note(sentence)))
    return found


def _replacing(sentence: str, own_key: str) -> list[FoundRelation]:
    match = _REPLACES_OWN.search(sentence)
    if match is None:
        return []
    rest = _AMENDED_BY.sub(" ", _PARENTHESES.sub(" ", match["rest"]))
    found = []
    cursor = 0
    for number_match in NUMBER_IN_TEXT.finditer(rest):
        number = number_match.group(1)
        segment = rest[cursor : number_match.start()]
        cursor = number_match.end()
        if number_key(number) == own_key:
            continue
        partial = _PART.search(segment) is not None
        kind = RelationKind.PARTLY_REPLACES if partial else RelationKind.REPLACES
        found.append(FoundRelation(kind=kind, number=number, note=_note(sentence)))
    return found


def _acting_on(sentence: str, own_key: str) -> list[FoundRelation]:
    body = _ENUMERATOR.sub("", sentence)
    amends = _AMENDS_START.match(body) is not None
    repeals = _REPEALS_START.match(body) is not None
    if not (amends or repeals):
        return []
    until = _AS_FOLLOWS.search(body)
    head = body[: until.start()] if until else body
    target = _OF_DOCUMENT.search(head)
    if amends:
        if target is None or number_key(target.group(1)) == own_key:
            return []
        return [FoundRelation(RelationKind.AMENDS, number=target.group(1), note=_note(sentence))]
    number_match = target or _first_number_after_type(head)
    if number_match is None:
        return []
    number = number_match.group(1)
    if number_key(number) == own_key:
        return []
    partial = _PART.search(head[: number_match.start()]) is not None
    kind = RelationKind.PARTLY_REPLACES if partial else RelationKind.REPLACES
    return [FoundRelation(kind, number=number, note=_note(sentence))]


_TYPE_THEN_NUMBER = re.compile(_TYPE_WORDS + r"\b[^;:]*?\bsố\s+(" + NUMBER_IN_TEXT.pattern + ")")


def _first_number_after_type(text: str) -> re.Match[str] | None:
    return _TYPE_THEN_NUMBER.search(text)


def _based_on(preamble: str, own_key: str) -> list[FoundRelation]:
    found: list[FoundRelation] = []
    for sentence in sentences(preamble):
        if not _BASED_ON.match(sentence):
            continue
        cleaned = _AMENDED_BY.sub(" ", _PARENTHESES.sub(" ", sentence))
        numbers = [n for n in NUMBER_IN_TEXT.findall(cleaned) if number_key(n) != own_key]
        if numbers:
            found.append(
                FoundRelation(RelationKind.BASED_ON, number=numbers[0], note=_note(sentence))
            )
            continue
        named = _NAMED_ON.match(cleaned)
        if named:
            try:
                date = datetime.date(int(named["y"]), int(named["m"]), int(named["d"]))
            except ValueError:
                continue
            found.append(
                FoundRelation(
                    RelationKind.BASED_ON,
                    name=named["name"].strip(),
                    date=date,
                    note=_note(sentence),
                )
            )
    return found


def _guides(title: str, own_key: str) -> list[FoundRelation]:
    match = _GUIDES_TITLE.search(title)
    if match is None:
        return []
    after = title[match.end() :]
    numbers = [n for n in NUMBER_IN_TEXT.findall(after) if number_key(n) != own_key]
    if numbers:
        return [FoundRelation(RelationKind.GUIDES, number=numbers[0], note=title)]
    named = _NAMED_IN_TITLE.search(after)
    if named:
        return [FoundRelation(RelationKind.GUIDES, name=named["name"].strip(), note=title)]
    return []


def extract_relations(text: str, *, title: str = "", number: str = "") -> list[FoundRelation]:
    """The relations a document's title and text state, each once (first statement kept)."""
    own_key = number_key(number)
    flat = flatten(text)
    found: list[FoundRelation] = []
    found += _guides(" ".join(title.split()), own_key)
    first_article = _FIRST_ARTICLE.search(flat)
    found += _based_on(flat[: first_article.start()] if first_article else flat[:5000], own_key)
    for sentence in sentences(flat):
        if "hiệu lực" in sentence:
            found += _expiring(sentence, own_key)
        if "thay thế" in sentence:
            found += _replacing(sentence, own_key)
        found += _acting_on(sentence, own_key)
    unique: dict[tuple[str, str, str], FoundRelation] = {}
    for relation in found:
        key = (relation.kind, number_key(relation.number), fold(relation.name))
        unique.setdefault(key, relation)
    # A document wholly replaced is not also partly replaced by the same text.
    whole = {k[1] for k in unique if k[0] == RelationKind.REPLACES}
    return [
        relation
        for key, relation in unique.items()
        if not (key[0] == RelationKind.PARTLY_REPLACES and key[1] in whole)
    ]
