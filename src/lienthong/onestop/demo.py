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

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from lienthong.accounts.models import Role
from lienthong.core.models import AdminUnit, OrgUnit
from lienthong.core.seed import SeedError, demo_data
from lienthong.core.text import fold
from lienthong.onestop import catalogue
from lienthong.onestop.models import Level, Procedure
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
#: The demo steps of the one-stop shop, in order; areas append theirs after the catalogue's.
STEPS: list[Callable[[], list[str]]] = [*CATALOGUE_STEPS]


def seed_demo() -> list[str]:
    """Run every demo step of the one-stop shop; returns the lines to print."""
    lines: list[str] = []
    for step in STEPS:
        lines += step()
    return lines
