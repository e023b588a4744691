"""Demo data of the one-stop shop, applied by `lienthong seed --demo` after the kernel's.

`seed_demo()` runs the functions in `STEPS` in order; each is idempotent and returns the lines
to print. Other areas of the one-stop shop add their demo data by appending a step to `STEPS`.

The catalogue steps:

1. `load_procedures`: the 113 real procedures of ../shared/data/procedures/procedures.json
   (`settings.SHARED_DIR`), through the catalogue's import (its normalising rules are in
   `onestop.catalogue`).
2. `link_receiving_agencies`: each procedure not yet linked gets the agencies of the demo org
   tree (`core/data/demo_agencies.json`, Bình Dương before July 2025) that receive it:
   - commune level (Cấp xã) → every commune people's committee, unless the source names only
     a body outside the demo tree (the commune police for residence, social insurance);
   - province level (Cấp tỉnh) → the department the source's agency text names
     (`PROVINCE_RULES`, first unit of each rule present in the tree), else, for texts such as
     "Cơ quan chức năng do Ủy ban nhân dân cấp tỉnh chỉ định", the department of the field
     (`FIELD_DEPARTMENTS`). The portal's pages date from after the 2025 reforms: business
     registration belongs to Sở Tài chính (before: Sở Kế hoạch và Đầu tư), land registration
     to the Văn phòng đăng ký đất đai of Sở Nông nghiệp và Môi trường (before: Sở Tài nguyên
     và Môi trường, which the demo tree shows closed on 28/02/2025); the older department is
     used only when the newer one is missing;
   - ministry level and "Cơ quan khác" link nothing (no such agencies in the tree).
   Procedures left unlinked are listed with the reason.
3. `assign_process_templates`: the internal processes (`TEMPLATES`), and for each procedure
   without one, by these rules (shares of the statutory time in %):
   - received by communes → `onestop-xa-3-buoc`: Thẩm định (specialist of the receiving UBND
     xã, 60) → Phê duyệt (its leader, 30) → Trả kết quả (its one-stop officer, 10);
   - received by a department that has a one-stop division in the demo tree
     (`DEPARTMENT_DIVISIONS`: Sở Tư pháp → Phòng Hành chính tư pháp) →
     `onestop-<department>-3-buoc`: Thẩm định by that division's specialists (60) → Phê duyệt
     by the department's leader (30) → Trả kết quả (10);
   - otherwise (province level) → `onestop-tinh-3-buoc`, the same three steps owned by the
     receiving agency;
   - an inter-agency procedure (liên thông) gets the four-step variant with "Lấy ý kiến cơ
     quan liên thông" (20) taken from the assessment (Thẩm định 40).
   Step roles are those of the demo users: chuyên viên, lãnh đạo, cán bộ một cửa.
4. `index_catalogue`: every active procedure in the public search index (`/search/`).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.accounts import services as accounts_services
from lienthong.accounts.models import Role, User
from lienthong.core import calendar
from lienthong.core.models import AdminUnit, OrgUnit
from lienthong.core.pdf import render_pdf
from lienthong.core.seed import SeedError, demo_data
from lienthong.core.text import fold
from lienthong.onestop import catalogue, intake, processing, results
from lienthong.onestop.models import Channel, Dossier, Level, Procedure
from lienthong.workflow import engine
from lienthong.workflow.models import ProcessTemplate

#: Where the procedures are, under the shared data folder.
PROCEDURES_FILE = ("data", "procedures", "procedures.json")

#: Source agency text (folded) → demo units, the first present of each tuple is linked.
LAND = ("van-phong-dang-ky-dat-dai", "so-nn-mt", "so-tn-mt")
PROVINCE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("van phong dang ky dat dai", LAND),
    ("co quan co chuc nang quan ly dat dai", LAND),
    ("so tai chinh", ("so-tai-chinh", "so-kh-dt")),
    ("ban quan ly khu cong nghiep", ("ban-ql-kcn",)),
    ("ban quan ly cac khu cong nghiep", ("ban-ql-kcn",)),
    ("so xay dung", ("so-xay-dung",)),
    ("so tu phap", ("so-tu-phap",)),
    ("trung tam tro giup phap ly", ("so-tu-phap",)),
    ("co quan quan ly co so du lieu ho tich", ("so-tu-phap",)),
    ("so nong nghiep va moi truong", ("so-nn-mt", "so-tn-mt")),
    ("chi cuc kiem lam", ("so-nn-mt", "so-tn-mt")),
    ("uy ban nhan dan cap tinh", ("ubnd-tinh",)),
)
#: Phrases naming a body *designated by* the province, not the province itself: removed
#: before matching, so that the field decides.
DESIGNATED = (
    "co quan chuc nang do uy ban nhan dan cap tinh chi dinh",
    "co quan phan cap, uy quyen cua ubnd cap tinh",
    "nguoi dung dau co quan chuyen mon thuoc uy ban nhan dan cap tinh",
)
#: Bodies the demo tree does not have (folded text → why nothing is linked).
OUTSIDE_TREE: tuple[tuple[str, str], ...] = (
    ("cong an", "cơ quan công an"),
    ("canh sat", "cơ quan công an"),
    ("bao hiem xa hoi", "cơ quan bảo hiểm xã hội"),
)
#: Commune-level texts that name the people's committee (linked even beside another body).
COMMUNE_COMMITTEE = ("uy ban nhan dan", "ubnd")
#: Field (folded) → department, for province-level texts that name no department.
FIELD_DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "duong bo": ("so-xay-dung",),
    "quy hoach do thi va nong thon": ("so-xay-dung",),
    "kien truc": ("so-xay-dung",),
    "hoat dong xay dung": ("so-xay-dung",),
    "nha o va cong so": ("so-xay-dung",),
    "kinh doanh bat dong san": ("so-xay-dung",),
    "thu y": ("so-nn-mt", "so-tn-mt"),
    "trong trot": ("so-nn-mt", "so-tn-mt"),
    "lam nghiep": ("so-nn-mt", "so-tn-mt"),
    "dat dai": LAND,
    "dang ky bien phap bao dam": LAND,
    "moi truong": ("so-nn-mt", "so-tn-mt"),
    "tai nguyen nuoc": ("so-nn-mt", "so-tn-mt"),
    "dau tu tai viet nam": ("so-tai-chinh", "so-kh-dt"),
    "thanh lap va hoat dong cua doanh nghiep": ("so-tai-chinh", "so-kh-dt"),
    "ho tich": ("so-tu-phap",),
    "chung thuc": ("so-tu-phap",),
    "nuoi con nuoi": ("so-tu-phap",),
    "tro giup phap ly": ("so-tu-phap",),
}
#: Departments whose one-stop work a division of the demo tree does (department → division).
DEPARTMENT_DIVISIONS = {"so-tu-phap": "so-tu-phap/phong-hctp"}

SPECIALIST, LEADER, ONESTOP = Role.SPECIALIST.value, Role.LEADER.value, Role.ONESTOP_OFFICER.value


@dataclass(frozen=True)
class Shape:
    """A process template to create: code, name, description, steps (name, role, unit ref, %)."""

    code: str
    name: str
    description: str
    steps: tuple[tuple[str, str, str | None, int], ...]


TEMPLATES: tuple[Shape, ...] = (
    Shape(
        "onestop-xa-3-buoc",
        "Cấp xã: thẩm định, phê duyệt, trả kết quả",
        "Các bước do Ủy ban nhân dân xã tiếp nhận hồ sơ thực hiện.",
        (
            ("Thẩm định hồ sơ", SPECIALIST, None, 60),
            ("Phê duyệt kết quả", LEADER, None, 30),
            ("Trả kết quả", ONESTOP, None, 10),
        ),
    ),
    Shape(
        "onestop-xa-lien-thong-4-buoc",
        "Cấp xã, liên thông: thẩm định, lấy ý kiến, phê duyệt, trả kết quả",
        "Có bước lấy ý kiến cơ quan liên thông trước khi phê duyệt.",
        (
            ("Thẩm định hồ sơ", SPECIALIST, None, 40),
            ("Lấy ý kiến cơ quan liên thông", SPECIALIST, None, 20),
            ("Phê duyệt kết quả", LEADER, None, 30),
            ("Trả kết quả", ONESTOP, None, 10),
        ),
    ),
    Shape(
        "onestop-tinh-3-buoc",
        "Cấp tỉnh: phòng chuyên môn thẩm định, lãnh đạo phê duyệt, trả kết quả",
        "Các bước do cơ quan cấp tỉnh tiếp nhận hồ sơ thực hiện.",
        (
            ("Thẩm định hồ sơ (phòng chuyên môn)", SPECIALIST, None, 60),
            ("Phê duyệt kết quả (lãnh đạo cơ quan)", LEADER, None, 30),
            ("Trả kết quả (bộ phận một cửa)", ONESTOP, None, 10),
        ),
    ),
    Shape(
        "onestop-tinh-lien-thong-4-buoc",
        "Cấp tỉnh, liên thông: thẩm định, lấy ý kiến, phê duyệt, trả kết quả",
        "Có bước lấy ý kiến cơ quan liên thông trước khi phê duyệt.",
        (
            ("Thẩm định hồ sơ (phòng chuyên môn)", SPECIALIST, None, 40),
            ("Lấy ý kiến cơ quan liên thông", SPECIALIST, None, 20),
            ("Phê duyệt kết quả (lãnh đạo cơ quan)", LEADER, None, 30),
            ("Trả kết quả (bộ phận một cửa)", ONESTOP, None, 10),
        ),
    ),
    Shape(
        "onestop-so-tu-phap-3-buoc",
        "Sở Tư pháp: Phòng Hành chính tư pháp thẩm định, lãnh đạo Sở phê duyệt, trả kết quả",
        "Thẩm định do chuyên viên Phòng Hành chính tư pháp thực hiện.",
        (
            ("Thẩm định hồ sơ (Phòng Hành chính tư pháp)", SPECIALIST, "so-tu-phap/phong-hctp", 60),
            ("Phê duyệt kết quả (lãnh đạo Sở)", LEADER, None, 30),
            ("Trả kết quả (bộ phận một cửa)", ONESTOP, None, 10),
        ),
    ),
)


# --- The demo org tree ----------------------------------------------------------------------


def demo_units() -> dict[str, OrgUnit]:
    """The units of the demo org tree present in the database, by their ref in the data file."""
    entries = demo_data()["org_units"]
    by_code = {
        u.code: u
        for u in OrgUnit.objects.filter(code__in=[e["code"] for e in entries if e["code"]])
    }
    units: dict[str, OrgUnit] = {}
    for entry in entries:
        if entry["code"]:
            unit = by_code.get(entry["code"])
        else:
            parent = units.get(entry["parent"])
            unit = (
                OrgUnit.objects.filter(parent=parent, name=entry["name"], is_agency=False).first()
                if parent is not None
                else None
            )
        if unit is not None and unit.is_active:
            units[entry["ref"]] = unit
    # A land registration office is not in the data file; one added by hand is used.
    land_office = next(
        (
            u
            for u in OrgUnit.objects.filter(is_agency=True, is_active=True)
            if "van phong dang ky dat dai" in fold(u.name)
        ),
        None,
    )
    if land_office is not None:
        units["van-phong-dang-ky-dat-dai"] = land_office
    return units


def commune_committees() -> list[OrgUnit]:
    """Every active commune people's committee of the tree."""
    return list(
        OrgUnit.objects.filter(
            kind=OrgUnit.Kind.PEOPLES_COMMITTEE,
            is_agency=True,
            is_active=True,
            admin_unit__level=AdminUnit.Level.COMMUNE,
        ).order_by("path")
    )


@dataclass
class Link:
    """Where one procedure is received in the demo, or why nowhere."""

    agencies: list[OrgUnit]
    reason: str = ""


def _first_present(refs: tuple[str, ...], units: dict[str, OrgUnit]) -> OrgUnit | None:
    return next((units[ref] for ref in refs if ref in units), None)


def receiving_agencies(
    procedure: Procedure, units: dict[str, OrgUnit], communes: list[OrgUnit]
) -> Link:
    """The demo agencies that receive `procedure` (rules in the module docstring)."""
    text = fold(procedure.agency_text or procedure.competent_authority)
    for phrase in DESIGNATED:
        text = text.replace(phrase, " ")
    outside = [why for pattern, why in OUTSIDE_TREE if pattern in text]
    found: dict[int, OrgUnit] = {}
    reasons: list[str] = []
    if Level.COMMUNE in procedure.levels:
        if outside and not any(word in text for word in COMMUNE_COMMITTEE):
            reasons.append(_("%(body)s không có trong cây tổ chức demo") % {"body": outside[0]})
        elif not communes:
            reasons.append(_("cấp xã: cây tổ chức demo chưa có ủy ban nhân dân xã"))
        else:
            found.update((u.pk, u) for u in communes)
    if Level.PROVINCE in procedure.levels:
        matched = [
            _first_present(refs, units) for pattern, refs in PROVINCE_RULES if pattern in text
        ]
        departments = [u for u in matched if u is not None]
        if not departments and not outside:
            refs = FIELD_DEPARTMENTS.get(fold(procedure.field.name), ())
            department = _first_present(refs, units)
            departments = [department] if department is not None else []
        if departments:
            found.update((u.pk, u) for u in departments)
        elif outside:
            reasons.append(_("%(body)s không có trong cây tổ chức demo") % {"body": outside[0]})
        else:
            reasons.append(_("cấp tỉnh: nguồn không nêu cơ quan có trong cây tổ chức demo"))
    if not procedure.levels or not ({Level.COMMUNE, Level.PROVINCE} & set(procedure.levels)):
        reasons.append(_("chỉ thực hiện ở cấp bộ hoặc cơ quan khác"))
    agencies = sorted(found.values(), key=lambda u: u.path)
    return Link(agencies, "" if agencies else "; ".join(dict.fromkeys(reasons)))


def template_code_for(
    procedure: Procedure, agencies: list[OrgUnit], units: dict[str, OrgUnit], communes: set[int]
) -> str:
    """The internal process a procedure gets in the demo (rules in the module docstring)."""
    inter = procedure.is_inter_agency
    by_communes = any(unit.pk in communes for unit in agencies)
    if by_communes or (not agencies and Level.COMMUNE in procedure.levels):
        return "onestop-xa-lien-thong-4-buoc" if inter else "onestop-xa-3-buoc"
    if len(agencies) == 1 and not inter:
        for department, _division in DEPARTMENT_DIVISIONS.items():
            if units.get(department) == agencies[0]:
                return f"onestop-{department}-3-buoc"
    return "onestop-tinh-lien-thong-4-buoc" if inter else "onestop-tinh-3-buoc"


# --- Steps ----------------------------------------------------------------------------------


def load_procedures() -> list[str]:
    """Load (or refresh) the 113 procedures of the shared data folder."""
    path = settings.SHARED_DIR.joinpath(*PROCEDURES_FILE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SeedError(
            _("Không có tệp thủ tục hành chính %(path)s (đặt LIENTHONG_SHARED_DIR).")
            % {"path": path}
        ) from exc
    try:
        report = catalogue.import_procedures(data, source=str(path))
    except catalogue.CatalogueImportError as exc:
        raise SeedError(_("Tệp thủ tục hành chính có lỗi: %(errors)s") % {"errors": exc}) from exc
    if not report.changed:
        return [
            _("Danh mục thủ tục: đã có đủ %(n)d thủ tục, không có gì thay đổi.")
            % {"n": report.total}
        ]
    line = _("Danh mục thủ tục: %(summary)s") % {"summary": report.summary()}
    if report.fields_created:
        line += " " + _("Thêm %(n)d lĩnh vực.") % {"n": len(report.fields_created)}
    return [line]


def link_receiving_agencies() -> list[str]:
    """Link each procedure not yet linked to the demo agencies that receive it."""
    units = demo_units()
    communes = commune_committees()
    procedures = list(
        Procedure.objects.active()
        .select_related("field")
        .prefetch_related("agencies")
        .order_by("code")
    )
    newly, already, unlinked = 0, 0, []
    for procedure in procedures:
        if procedure.agencies.all():
            already += 1
            continue
        link = receiving_agencies(procedure, units, communes)
        if link.agencies:
            catalogue.link_agencies(procedure, link.agencies)
            newly += 1
        else:
            unlinked.append((procedure, link.reason))
    if newly:
        head = _("Cơ quan tiếp nhận: gắn cho %(new)d thủ tục (%(total)d thủ tục đã gắn)") % {
            "new": newly,
            "total": newly + already,
        }
    else:
        head = _("Cơ quan tiếp nhận: không có gì thay đổi (%(total)d thủ tục đã gắn)") % {
            "total": already
        }
    if not unlinked:
        return [head + "."]
    lines = [head + "; " + _("%(n)d thủ tục chưa gắn:") % {"n": len(unlinked)}]
    lines += [f"  - {p.code} {p.name[:80]}: {reason}" for p, reason in unlinked]
    return lines


def _spec(shape: Shape, units: dict[str, OrgUnit]) -> catalogue.TemplateSpec | None:
    steps = []
    for name, role, ref, share in shape.steps:
        unit = units.get(ref) if ref else None
        if ref and unit is None:
            return None  # its division is not in this tree
        steps.append(catalogue.StepSpec(name, role, Decimal(share), unit))
    return catalogue.TemplateSpec(shape.code, shape.name, tuple(steps), shape.description)


def assign_process_templates() -> list[str]:
    """Create the internal processes and give one to each procedure that has none."""
    units = demo_units()
    created: list[str] = []
    templates: dict[str, ProcessTemplate] = {}
    for shape in TEMPLATES:
        spec = _spec(shape, units)
        if spec is None:
            continue
        template, status = catalogue.save_process_template(spec)
        templates[template.code] = template
        if status != "unchanged":
            created.append(template.code)
    assigned = 0
    communes = {unit.pk for unit in commune_committees()}
    procedures = Procedure.objects.active().filter(process_template__isnull=True)
    for procedure in procedures.prefetch_related("agencies").order_by("code"):
        code = template_code_for(procedure, list(procedure.agencies.all()), units, communes)
        chosen = templates.get(code) or templates.get("onestop-tinh-3-buoc")
        if chosen is not None:
            catalogue.set_process_template(procedure, chosen)
            assigned += 1
    if not created and not assigned:
        return [_("Quy trình nội bộ: không có gì thay đổi.")]
    return [
        _("Quy trình nội bộ: %(templates)d quy trình mới hoặc cập nhật; gán cho %(n)d thủ tục.")
        % {"templates": len(created), "n": assigned}
    ]


def index_catalogue() -> list[str]:
    """Put every active procedure in the public search index (unchanged text is skipped)."""
    procedures = Procedure.objects.active().select_related("field")
    count = 0
    for procedure in procedures:
        catalogue.index_procedure(procedure)
        count += 1
    return [_("Tìm kiếm: %(n)d thủ tục có trong chỉ mục công khai (/search/).") % {"n": count}]


#: The catalogue's demo steps, in order.
CATALOGUE_STEPS: tuple[Callable[[], list[str]], ...] = (
    load_procedures,
    link_receiving_agencies,
    assign_process_templates,
    index_catalogue,
)


# --- Demo dossiers --------------------------------------------------------------------------

#: The justice department's procedure (Sở Tư pháp: chuyenvien, then lanhdao) and the ward's.
JUSTICE_PROCEDURE = "2.000587"
WARD_PROCEDURE = "1.002211"
JUSTICE, WARD = "so-tu-phap", "ubnd-25747"
#: Officials for the steps no demo login holds (the one-stop desk of Sở Tư pháp, the ward's
#: specialist and leader): (username, full name, unit ref, role, position). They log in with
#: the demo password, so the whole journey can be walked by hand; `lienthong demo` does not
#: list them (its table is the kernel's, one login per role).
ACTORS: tuple[tuple[str, str, str, str, str], ...] = (
    ("demo.motcua.stp", "Phan Thị Thu", JUSTICE, ONESTOP, "Cán bộ Bộ phận Một cửa Sở Tư pháp"),
    ("demo.congchuc.phucuong", "Ngô Văn Hải", WARD, SPECIALIST, "Công chức Tư pháp - Hộ tịch"),
    ("demo.lanhdao.phucuong", "Đặng Thị Ngọc", WARD, LEADER, "Phó Chủ tịch UBND phường"),
)
#: The personal ID the citizen `congdan` gives when submitting (the demo account has none).
CITIZEN_ID = "074185003217"


@dataclass(frozen=True)
class Scenario:
    """One demo dossier: a key (kept in its form data, so a second run skips it), the
    procedure, where it is received, how it arrives, and what happens to it after.

    `steps` are (working days before today, "HH:MM", action); actions: "accept", "forward",
    "approve_to_desk" (forward, naming the receiving desk's officer for the next step),
    "supplement", "apology", "result", "return", "return_online". The first step is the
    submission (online) or the receipt (counter).
    """

    key: str
    procedure: str
    agency: str
    channel: str
    applicant: str
    steps: tuple[tuple[int, str, str], ...]


SCENARIOS: tuple[Scenario, ...] = (
    # Submitted online yesterday: waits in motcua's queue (/motcua/cho-tiep-nhan/).
    Scenario("phuong-moi", WARD_PROCEDURE, WARD, "online", "congdan", ((1, "15:40", "submit"),)),
    # At chuyenvien's step, in time.
    Scenario(
        "stp-dang-xu-ly",
        JUSTICE_PROCEDURE,
        JUSTICE,
        "counter",
        "Trần Thị Kim Anh",
        ((2, "09:10", "receive"),),
    ),
    # Forwarded by chuyenvien: waits for lanhdao's approval.
    Scenario(
        "stp-cho-phe-duyet",
        JUSTICE_PROCEDURE,
        JUSTICE,
        "online",
        "congdan",
        ((4, "20:05", "submit"), (3, "08:30", "accept"), (1, "10:00", "forward")),
    ),
    # chuyenvien asked for a supplement: congdan sees the request on the dossier's page.
    Scenario(
        "stp-yeu-cau-bo-sung",
        JUSTICE_PROCEDURE,
        JUSTICE,
        "online",
        "congdan",
        ((5, "14:00", "submit"), (4, "09:00", "accept"), (3, "10:30", "supplement")),
    ),
    # Past its due date at chuyenvien's step (who may write the apology letter in the demo).
    Scenario(
        "stp-qua-han",
        JUSTICE_PROCEDURE,
        JUSTICE,
        "counter",
        "Lý Văn Phát",
        ((12, "10:00", "receive"),),
    ),
    # Overdue at lanhdao's step, who apologised and set a new date.
    Scenario(
        "stp-xin-loi",
        JUSTICE_PROCEDURE,
        JUSTICE,
        "counter",
        "Huỳnh Thị Mỹ Linh",
        ((14, "08:45", "receive"), (9, "16:00", "forward"), (6, "09:30", "apology")),
    ),
    # Returned late, at the counter.
    Scenario(
        "stp-tra-tre-han",
        JUSTICE_PROCEDURE,
        JUSTICE,
        "counter",
        "Bùi Văn Toàn",
        (
            (20, "09:00", "receive"),
            (15, "14:00", "forward"),
            (11, "10:00", "forward"),
            (10, "08:30", "result"),
            (10, "08:40", "return"),
        ),
    ),
    # Returned on the appointed day.
    Scenario(
        "stp-tra-dung-han",
        JUSTICE_PROCEDURE,
        JUSTICE,
        "counter",
        "Mai Thị Thanh Tâm",
        (
            (16, "09:30", "receive"),
            (12, "15:00", "forward"),
            (9, "11:00", "forward"),
            (9, "14:00", "result"),
            (8, "09:00", "return"),
        ),
    ),
    # congdan's dossier at the ward, returned online early: the result is in their data store.
    Scenario(
        "phuong-da-tra",
        WARD_PROCEDURE,
        WARD,
        "online",
        "congdan",
        (
            (10, "19:30", "submit"),
            (9, "08:10", "accept"),
            (8, "14:00", "forward"),
            (7, "09:00", "approve_to_desk"),
            (7, "10:00", "result"),
            (7, "10:05", "return_online"),
        ),
    ),
    # Processed at the ward: waits in motcua's inbox at "Trả kết quả".
    Scenario(
        "phuong-cho-tra",
        WARD_PROCEDURE,
        WARD,
        "counter",
        "Võ Văn Dũng",
        ((6, "09:20", "receive"), (3, "10:15", "forward"), (2, "16:30", "approve_to_desk")),
    ),
)


def _moment(today: datetime.date, days_before: int, clock: str) -> datetime.datetime:
    """`clock` on the working day `days_before` working days before `today` (Vietnam time)."""
    day = today
    for _step in range(days_before):
        day -= datetime.timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= datetime.timedelta(days=1)
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=calendar.VN_TZ)


def demo_password() -> str:
    """The password of the kernel's demo logins (public: this is demo data)."""
    return str(next(u["password"] for u in demo_data()["users"] if u["username"] == "motcua"))


def demo_actors() -> tuple[dict[str, User], list[str]]:
    """The officials of `ACTORS`, created (by the demo administrator) when missing; an
    existing account is left as it is (its password may have been changed on purpose)."""
    units = demo_units()
    admin = User.objects.filter(username="admin", is_superuser=True).first()
    actors: dict[str, User] = {}
    created: list[str] = []
    for username, full_name, ref, role, position in ACTORS:
        user = User.objects.filter(username=username).first()
        if user is None and admin is not None and ref in units:
            user = accounts_services.create_official(
                username=username,
                full_name=full_name,
                org_unit=units[ref],
                by=admin,
                password=demo_password(),
                position=position,
                roles=[role],
            )
            created.append(username)
        if user is not None:
            actors[username] = user
    return actors, created


class _Cast:
    """The people of the demo dossiers: the demo logins and the actors."""

    def __init__(self, actors: dict[str, User]) -> None:
        logins = User.objects.filter(username__in=["motcua", "chuyenvien", "lanhdao", "congdan"])
        self.people = {user.username: user for user in logins} | actors
        self.candidates = [
            self.people[name] for name in ("chuyenvien", "lanhdao", *actors) if name in self.people
        ]

    def officer(self, agency: OrgUnit) -> User:
        """A one-stop officer of `agency`: motcua for the wards of Thủ Dầu Một."""
        for name in ("motcua", "demo.motcua.stp"):
            user = self.people.get(name)
            if user is not None and intake.is_onestop_officer(user, agency):
                return user
        raise SeedError(_("Không có cán bộ một cửa nào của %(agency)s.") % {"agency": agency})

    def holder(self, dossier: Dossier) -> User:
        """Who holds the dossier's current step."""
        task = engine.current_task(processing.case_of(dossier))
        for user in self.candidates:
            if processing.holds(task, user):
                return user
        raise SeedError(
            _("Không có người dùng demo nào giữ bước hiện tại của hồ sơ %(code)s.")
            % {"code": dossier.code}
        )


_documents: dict[str, bytes] = {}


def demo_document(title: str) -> bytes:
    """A one-page PDF marked as demo data (WeasyPrint; each title is rendered once)."""
    if title not in _documents:
        _documents[title] = render_pdf("onestop/demo_document_pdf.html", {"title": title})
    return _documents[title]


def _upload(title: str, name: str) -> ContentFile[bytes]:
    return ContentFile(demo_document(title), name=name)


def _receive(
    scenario: Scenario, procedure: Procedure, agency: OrgUnit, cast: _Cast, at: datetime.datetime
) -> Dossier:
    """The first step: the citizen's online submission, or the officer's receipt."""
    form_data = {"demo": scenario.key}
    components = list(procedure.components.order_by("order"))
    if scenario.channel == "online":
        citizen = cast.people.get(scenario.applicant)
        if citizen is None:
            raise SeedError(_("Không có tài khoản demo %(name)s.") % {"name": scenario.applicant})
        uploads = [
            intake.ComponentUpload(
                component,
                file=_upload(_("Giấy tờ nộp kèm hồ sơ"), f"thanh-phan-{component.order}.pdf"),
            )
            for component in components
            if component.is_required
        ]
        return intake.submit_online(
            procedure=procedure,
            agency=agency,
            applicant=citizen,
            form_data={**form_data, "noi_dung": _("Đề nghị giải quyết thủ tục (hồ sơ demo).")},
            components=uploads,
            contact={"personal_id": CITIZEN_ID},
            by=citizen,
            at=at,
        )
    number = 4000 + SCENARIOS.index(scenario)
    return intake.receive_at_counter(
        procedure=procedure,
        agency=agency,
        applicant=intake.Applicant(
            name=scenario.applicant,
            # Born in 1985; the century-and-sex digit is 1 for women (middle name Thị), else 0.
            personal_id=f"074{1 if ' Thị ' in scenario.applicant else 0}85{number:06d}",
            address=_("Phường Phú Cường, thành phố Thủ Dầu Một, tỉnh Bình Dương"),
        ),
        components_received=[
            intake.ReceivedComponent(component, originals=max(component.originals, 1))
            for component in components
            if component.is_required
        ],
        form_data=form_data,
        by=cast.officer(agency),
        at=at,
    )


def _issuer(scenario: Scenario) -> str:
    return "STP" if scenario.agency == JUSTICE else "UBND"


def _play(scenario: Scenario, cast: _Cast, today: datetime.date) -> Dossier:
    """Create one demo dossier and take it through its steps, each through its service."""
    procedure = Procedure.objects.get(code=scenario.procedure)
    agency = demo_units()[scenario.agency]
    (days, clock, _first), *rest = scenario.steps
    dossier = _receive(scenario, procedure, agency, cast, _moment(today, days, clock))
    for days, clock, action in rest:
        at = _moment(today, days, clock)
        dossier = Dossier.objects.get(pk=dossier.pk)
        if action == "accept":
            intake.accept(dossier=dossier, by=cast.officer(agency), at=at)
        elif action == "forward":
            processing.forward_dossier(dossier, by=cast.holder(dossier), at=at)
        elif action == "approve_to_desk":
            # The ward's leader names the desk's officer for "Trả kết quả": pooled work goes
            # to grants on that very unit (decision 0007), and motcua's is on the city above.
            processing.forward_dossier(
                dossier, by=cast.holder(dossier), assignee=cast.officer(agency), at=at
            )
        elif action == "supplement":
            processing.request_supplement(
                dossier,
                items=[_("Giấy tờ chứng minh là người đã nghỉ hưu theo quy định (bản sao)")],
                reason=_("Hồ sơ chưa có giấy tờ chứng minh người đề nghị đã nghỉ hưu."),
                by=cast.holder(dossier),
                at=at,
            )
        elif action == "apology":
            processing.write_apology(
                dossier,
                reason=_("Cần xác minh thêm thông tin lý lịch với địa phương nơi cư trú"),
                days=8,
                by=cast.holder(dossier),
                at=at,
            )
        elif action == "result":
            title = _("Kết quả giải quyết: %(procedure)s") % {"procedure": procedure.name}
            results.upload_result(
                dossier,
                title=title,
                number=f"{SCENARIOS.index(scenario) + 1:02d}/{_issuer(scenario)}-DEMO",
                file=_upload(title, "ket-qua.pdf"),
                by=cast.officer(agency),
                at=at,
            )
        elif action in ("return", "return_online"):
            results.return_result(
                dossier,
                by=cast.officer(agency),
                channel=Channel.ONLINE if action == "return_online" else Channel.COUNTER,
                at=at,
            )
        else:  # pragma: no cover - the table above is the only caller
            raise SeedError(f"unknown demo action {action}")
    return dossier


def seed_dossiers(today: datetime.date | None = None) -> list[str]:
    """The demo dossiers (`SCENARIOS`), dated back from `today`; those already there (by
    their key) are skipped, so a second run creates nothing."""
    today = today or calendar.local_date(timezone.now())
    actors, created_actors = demo_actors()
    cast = _Cast(actors)
    done = set(
        Dossier.objects.filter(form_data__has_key="demo").values_list("form_data__demo", flat=True)
    )
    made: list[str] = []
    for scenario in SCENARIOS:
        if scenario.key in done:
            continue
        with transaction.atomic():
            made.append(_play(scenario, cast, today).code)
    lines = []
    if created_actors:
        lines.append(
            _(
                "Hồ sơ demo: thêm %(n)d cán bộ xử lý các bước mà các tài khoản demo không giữ "
                "(đăng nhập bằng mật khẩu demo): %(names)s."
            )
            % {"n": len(created_actors), "names": ", ".join(created_actors)}
        )
    if made:
        lines.append(_("Hồ sơ demo: tạo %(n)d hồ sơ.") % {"n": len(made)})
    else:
        lines.append(_("Hồ sơ demo: đã có đủ %(n)d hồ sơ, không tạo thêm.") % {"n": len(done)})
    return lines


#: The demo steps of the one-stop shop, in order; areas append theirs after the catalogue's.
STEPS: list[Callable[[], list[str]]] = [*CATALOGUE_STEPS, seed_dossiers]


def seed_demo() -> list[str]:
    """Run every demo step of the one-stop shop; returns the lines to print."""
    lines: list[str] = []
    for step in STEPS:
        lines += step()
    return lines
