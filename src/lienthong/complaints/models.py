"""Complaints, denunciations, petitions, citizen reception and inspections.

Khiếu nại (Law on Complaints 02/2011/QH13), tố cáo (Law on Denunciations 25/2018/QH14, Decree
31/2019/NĐ-CP), kiến nghị, phản ánh and tiếp công dân (Law on Citizen Reception 42/2013/QH13),
thanh tra (Law on Inspection). The statutory time limits are rows of `TimeLimitRule` (seeded
by migration 0002, editable in the admin), never numbers in the code.

The identity of a denouncer is confidential (Law 25/2018/QH14, Art. 47–48): the `filer_*`
fields of a denunciation are shown only to the roles `Complaint.identity_visible_to` names,
are kept out of the audit log (`audit_exclude`), out of events and out of the search index.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import AuditedModel
from lienthong.core.permissions import ScopedQuerySet, is_real_user

if TYPE_CHECKING:
    from lienthong.accounts.models import User

#: Permission (on `Complaint`) that lets its holders see every denouncer's identity.
CONFIDENTIAL_PERMISSION = "complaints.view_denouncer_identity"
#: What a masked identity field shows.
MASK = "***"


class Kind(models.TextChoices):
    """What the citizen brings: a complaint, a denunciation, or a petition."""

    COMPLAINT = "complaint", _("Khiếu nại")
    DENUNCIATION = "denunciation", _("Tố cáo")
    PETITION = "petition", _("Kiến nghị, phản ánh")


#: The letters of each kind in case codes.
KIND_CODES = {Kind.COMPLAINT: "KN", Kind.DENUNCIATION: "TC", Kind.PETITION: "PA"}


class Stage(models.TextChoices):
    """Which resolution a complaint asks for (denunciations and petitions have one only)."""

    FIRST = "first", _("Lần đầu")
    SECOND = "second", _("Lần hai")
    DISCIPLINARY = "disciplinary", _("Quyết định kỷ luật")
    SINGLE = "single", _("Một lần (tố cáo, kiến nghị)")


class Phase(models.TextChoices):
    """The period a time limit governs."""

    FILE = "file", _("Thời hiệu gửi đơn")
    ACCEPT = "accept", _("Xử lý ban đầu, thụ lý")
    FORWARD = "forward", _("Chuyển đơn không thuộc thẩm quyền")
    RESOLVE = "resolve", _("Giải quyết")
    EXTEND = "extend", _("Gia hạn giải quyết")


class Complexity(models.TextChoices):
    """How complex the matter is (the law gives longer limits to complex ones)."""

    NORMAL = "normal", _("Thông thường")
    COMPLEX = "complex", _("Phức tạp")
    VERY_COMPLEX = "very_complex", _("Đặc biệt phức tạp")


class DayKind(models.TextChoices):
    """How the days of a time limit are counted."""

    CALENDAR = "calendar", _("Ngày (theo lịch)")
    WORKING = "working", _("Ngày làm việc")


class TimeLimitRule(models.Model):
    """One statutory time limit (thời hạn, thời hiệu) with the article that sets it."""

    kind = models.CharField(_("loại đơn"), max_length=20, choices=Kind.choices)
    stage = models.CharField(_("lần giải quyết"), max_length=20, choices=Stage.choices)
    phase = models.CharField(_("giai đoạn"), max_length=10, choices=Phase.choices)
    complexity = models.CharField(
        _("mức độ"), max_length=20, choices=Complexity.choices, default=Complexity.NORMAL
    )
    remote = models.BooleanField(_("vùng sâu, vùng xa, đi lại khó khăn"), default=False)
    days = models.PositiveIntegerField(_("số ngày"))
    day_kind = models.CharField(_("cách tính ngày"), max_length=10, choices=DayKind.choices)
    max_times = models.PositiveSmallIntegerField(
        _("số lần tối đa"), default=1, help_text=_("Chỉ dùng cho gia hạn.")
    )
    article = models.CharField(_("căn cứ pháp lý"), max_length=200)

    class Meta:
        verbose_name = _("thời hạn theo luật")
        verbose_name_plural = _("thời hạn theo luật")
        ordering = ["kind", "stage", "phase", "complexity", "remote"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "stage", "phase", "complexity", "remote"],
                name="complaints_rule_unique",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} {self.get_stage_display()} — {self.get_phase_display()}"
            f" ({self.get_complexity_display()}{', vùng xa' if self.remote else ''}): "
            f"{self.days} {self.get_day_kind_display()} — {self.article}"
        )


class Field(models.TextChoices):
    """Field (lĩnh vực) of a case, for the statistics."""

    LAND = "land", _("Đất đai")
    CONSTRUCTION = "construction", _("Xây dựng")
    FINANCE = "finance", _("Tài chính, ngân sách")
    ADMINISTRATION = "administration", _("Hành chính")
    JUSTICE = "justice", _("Tư pháp")
    SOCIAL = "social", _("Chính sách, xã hội")
    CORRUPTION = "corruption", _("Tham nhũng, tiêu cực")
    OTHER = "other", _("Khác")


class Channel(models.TextChoices):
    """How the case reached the agency."""

    RECEPTION = "reception", _("Trực tiếp tại nơi tiếp công dân")
    POST = "post", _("Qua bưu chính")
    ONLINE = "online", _("Trực tuyến")
    FORWARDED = "forwarded", _("Cơ quan khác chuyển đến")


class Status(models.TextChoices):
    """Where a case stands."""

    RECEIVED = "received", _("Đã tiếp nhận, chờ thụ lý")
    ACCEPTED = "accepted", _("Đã thụ lý, chờ giao xác minh")
    VERIFYING = "verifying", _("Đang xác minh")
    REPORTED = "reported", _("Đã báo cáo kết quả xác minh")
    CONCLUDED = "concluded", _("Đã có kết luận, quyết định giải quyết")
    REFUSED = "refused", _("Không thụ lý")
    FORWARDED = "forwarded", _("Đã chuyển cơ quan có thẩm quyền")


OPEN_STATUSES = (Status.RECEIVED, Status.ACCEPTED, Status.VERIFYING, Status.REPORTED)


class Outcome(models.TextChoices):
    """The conclusion of a case (for the statistics)."""

    RIGHT = "right", _("Đúng")
    WRONG = "wrong", _("Sai")
    PARTLY = "partly", _("Đúng một phần")
    ANSWERED = "answered", _("Đã trả lời, hướng dẫn")


class ReceptionQuerySet(ScopedQuerySet["Reception"]):
    """Receptions of the agencies within the user's units."""

    scope_field = "agency"


class Reception(AuditedModel):
    """A row of the citizen reception register (sổ tiếp công dân, Law 42/2013/QH13)."""

    #: A reception may open a denunciation: the person's identity stays out of the log.
    audit_exclude = ("person_name", "person_personal_id", "address")

    agency = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("ngày tiếp"), default=timezone.now)
    person_name = models.CharField(_("họ và tên"), max_length=150)
    person_personal_id = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255)
    people_count = models.PositiveIntegerField(_("số người"), default=1)
    content = models.TextField(_("nội dung"))
    earlier_handling = models.TextField(_("đã được cơ quan nào giải quyết"), blank=True)
    requests = models.TextField(_("yêu cầu của người đến"), blank=True)
    result = models.TextField(_("kết quả tiếp, hướng xử lý"), blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tiếp"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ReceptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt tiếp công dân")
        verbose_name_plural = _("sổ tiếp công dân")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        # No name: the audit log's object_repr is str(row).
        return _("Lượt tiếp công dân %(id)s") % {"id": self.pk}

    def identity_visible_to(self, user: Any) -> bool:
        """Whether `user` may see who came: not when a denunciation opened from this reception
        hides its denouncer from them."""
        return all(
            case.identity_visible_to(user)
            for case in self.cases.all()
            if case.kind == Kind.DENUNCIATION
        )

    def person_for(self, user: Any) -> dict[str, str]:
        """Name, personal ID and address as `user` may see them."""
        values = {
            "name": self.person_name,
            "personal_id": self.person_personal_id,
            "address": self.address,
        }
        if self.identity_visible_to(user):
            return values
        return {key: MASK for key in values}


class ComplaintQuerySet(ScopedQuerySet["Complaint"]):
    """Officials see the cases of their units' agencies and those handed to them; citizens
    their own."""

    scope_field = "agency"

    def own_rows(self, user: User) -> Q:
        """A citizen's own cases, and the cases an official handles."""
        return Q(filer_user=user) | Q(handler=user)

    def open(self) -> ComplaintQuerySet:
        """Cases not yet concluded, refused or forwarded."""
        return self.filter(status__in=OPEN_STATUSES)

    def received_between(self, start: datetime.date, end: datetime.date) -> ComplaintQuerySet:
        """Cases received on the days from `start` to `end` (Vietnam time), both included."""
        from lienthong.core.calendar import VN_TZ

        low = datetime.datetime(start.year, start.month, start.day, tzinfo=VN_TZ)
        high = datetime.datetime(end.year, end.month, end.day, tzinfo=VN_TZ) + datetime.timedelta(
            days=1
        )
        return self.filter(received_at__gte=low, received_at__lt=high)


class Complaint(AuditedModel):
    """A complaint, denunciation or petition (đơn khiếu nại, tố cáo, kiến nghị, phản ánh)."""

    #: The denouncer's identity never enters the audit log.
    audit_exclude = (
        "filer_name",
        "filer_personal_id",
        "filer_address",
        "filer_phone",
        "filer_email",
    )

    code = models.CharField(_("mã đơn"), max_length=60, unique=True)
    kind = models.CharField(_("loại đơn"), max_length=20, choices=Kind.choices)
    stage = models.CharField(
        _("lần giải quyết"), max_length=20, choices=Stage.choices, default=Stage.FIRST
    )
    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan giải quyết"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    field = models.CharField(_("lĩnh vực"), max_length=20, choices=Field.choices)
    channel = models.CharField(_("hình thức tiếp nhận"), max_length=10, choices=Channel.choices)
    reception = models.ForeignKey(
        Reception,
        verbose_name=_("lượt tiếp công dân"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    filer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản người gửi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filer_name = models.CharField(_("họ và tên người gửi"), max_length=150)
    filer_personal_id = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    filer_address = models.CharField(_("địa chỉ"), max_length=255)
    filer_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    filer_email = models.EmailField(_("thư điện tử"), blank=True)
    respondent = models.CharField(
        _("người, cơ quan bị khiếu nại, tố cáo"), max_length=255, blank=True
    )
    subject = models.CharField(_("tóm tắt nội dung"), max_length=255)
    content = models.TextField(_("nội dung"))
    known_on = models.DateField(
        _("ngày nhận được, biết được quyết định, hành vi"), null=True, blank=True
    )
    late_reason = models.TextField(_("lý do gửi đơn quá thời hiệu"), blank=True)
    remote = models.BooleanField(_("vùng sâu, vùng xa, đi lại khó khăn"), default=False)
    complexity = models.CharField(
        _("mức độ"), max_length=20, choices=Complexity.choices, default=Complexity.NORMAL
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    received_at = models.DateTimeField(_("ngày tiếp nhận"))
    accept_due_date = models.DateField(_("hạn thụ lý"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("ngày thụ lý"), null=True, blank=True)
    due_date = models.DateField(_("hạn giải quyết"), null=True, blank=True)
    original_due_date = models.DateField(_("hạn giải quyết ban đầu"), null=True, blank=True)
    rule_article = models.CharField(_("căn cứ thời hạn"), max_length=200, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người được giao xác minh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verification_report = models.TextField(_("báo cáo kết quả xác minh"), blank=True)
    outcome = models.CharField(_("kết quả"), max_length=20, choices=Outcome.choices, blank=True)
    conclusion = models.TextField(_("kết luận, quyết định giải quyết"), blank=True)
    conclusion_number = models.CharField(_("số văn bản"), max_length=60, blank=True)
    concluded_at = models.DateTimeField(_("ngày kết luận"), null=True, blank=True)
    closing_reason = models.TextField(_("lý do không thụ lý, chuyển đơn"), blank=True)
    forwarded_to = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("chuyển đến cơ quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    intake_task = models.ForeignKey(
        "workflow.Task",
        verbose_name=_("công việc thụ lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case = models.OneToOneField(
        "workflow.Case",
        verbose_name=_("hồ sơ công việc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaint",
    )

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn khiếu nại, tố cáo, kiến nghị")
        verbose_name_plural = _("đơn khiếu nại, tố cáo, kiến nghị")
        ordering = ["-received_at", "-pk"]
        permissions = [
            ("view_denouncer_identity", _("Được xem danh tính người tố cáo")),
        ]
        indexes = [
            models.Index(fields=["agency", "received_at"]),
            models.Index(fields=["status", "due_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("complaints:detail", args=[self.pk])

    @property
    def is_confidential(self) -> bool:
        """Whether the filer's identity is protected (denunciations)."""
        return self.kind == Kind.DENUNCIATION

    def identity_visible_to(self, user: Any, *, leader: bool | None = None) -> bool:
        """Whether `user` may see who filed the case (`leader`: whether the user leads the
        case's agency, when the caller already knows it).

        Anyone who may see a complaint or petition sees its filer. A denouncer is seen only by
        the denouncer, the official assigned to verify, a leader of the resolving agency, and
        holders of the `complaints.view_denouncer_identity` permission (Law 25/2018/QH14,
        Art. 47(2)(a): the identity is kept secret by whoever resolves the denunciation).
        """
        if not self.is_confidential:
            return True
        if not is_real_user(user):
            return False
        if self.filer_user_id is not None and self.filer_user_id == user.pk:
            return True
        if not user.is_official and not user.is_superuser:
            return False
        if self.handler_id is not None and self.handler_id == user.pk:
            return True
        from lienthong.accounts.models import Role

        if leader if leader is not None else user.has_role(Role.LEADER, self.agency):
            return True
        return bool(user.has_perm(CONFIDENTIAL_PERMISSION))

    def filer_for(self, user: Any, *, visible: bool | None = None) -> dict[str, str]:
        """The filer's identity as `user` may see it (masked when not authorised; `visible`:
        `identity_visible_to(user)` when the caller already has it)."""
        if visible is None:
            visible = self.identity_visible_to(user)
        values = {
            "name": self.filer_name,
            "personal_id": self.filer_personal_id,
            "address": self.filer_address,
            "phone": self.filer_phone,
            "email": self.filer_email,
        }
        if visible:
            return values
        return {key: MASK for key in values}


class ComplaintCounter(models.Model):
    """The last number given per agency, day and kind (case codes, see `services`)."""

    agency = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind_code = models.CharField(max_length=2)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("bộ đếm mã đơn")
        verbose_name_plural = _("bộ đếm mã đơn")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "day", "kind_code"], name="complaints_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.kind_code} {self.day}: {self.last_value}"


class History(models.Model):
    """One step of a case's history; the public note is what the filer sees on lookup."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(_("thời điểm"))
    action = models.CharField(_("thao tác"), max_length=30)
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices)
    public_note = models.TextField(_("thông báo cho người gửi"), blank=True)
    internal_note = models.TextField(_("ghi chú nội bộ"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("quá trình xử lý")
        verbose_name_plural = _("quá trình xử lý")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action} {self.at:%Y-%m-%d}"


class Extension(models.Model):
    """A written extension of a denunciation's time limit (Law 25/2018/QH14, Art. 30)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="extensions")
    number = models.PositiveSmallIntegerField(_("lần gia hạn"))
    complexity = models.CharField(_("mức độ"), max_length=20, choices=Complexity.choices)
    days = models.PositiveIntegerField(_("số ngày gia hạn"))
    notice_number = models.CharField(_("số văn bản gia hạn"), max_length=60)
    reason = models.TextField(_("lý do"))
    previous_due_date = models.DateField(_("hạn trước khi gia hạn"))
    new_due_date = models.DateField(_("hạn mới"))
    article = models.CharField(_("căn cứ"), max_length=200)
    at = models.DateTimeField(_("ngày gia hạn"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người gia hạn"),
    )

    class Meta:
        verbose_name = _("gia hạn giải quyết")
        verbose_name_plural = _("gia hạn giải quyết")
        ordering = ["complaint", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "number"], name="complaints_extension_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} #{self.number}: {self.new_due_date}"


class Alert(models.Model):
    """An overdue or at-risk alert sent for a case on a day (so each is sent once a day)."""

    class Kind(models.TextChoices):
        AT_RISK = "at_risk", _("Sắp đến hạn")
        OVERDUE = "overdue", _("Quá hạn")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    day = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("cảnh báo thời hạn")
        verbose_name_plural = _("cảnh báo thời hạn")
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "kind", "day"], name="complaints_alert_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.day}"


# --- Inspections ----------------------------------------------------------------------------


class InspectionPlanQuerySet(ScopedQuerySet["InspectionPlan"]):
    """Plans of the agencies within the user's units."""

    scope_field = "agency"


class InspectionPlan(AuditedModel):
    """An annual inspection plan (kế hoạch thanh tra năm) of an inspectorate."""

    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan thanh tra"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveIntegerField(_("năm"))
    title = models.CharField(_("tên kế hoạch"), max_length=255)
    approved_on = models.DateField(_("ngày phê duyệt"), null=True, blank=True)
    decision_number = models.CharField(_("số quyết định phê duyệt"), max_length=60, blank=True)

    objects = InspectionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("kế hoạch thanh tra")
        verbose_name_plural = _("kế hoạch thanh tra")
        ordering = ["-year", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="complaints_plan_one_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class InspectionQuerySet(ScopedQuerySet["Inspection"]):
    """Inspections of the agencies within the user's units, and those the user is on."""

    scope_field = "agency"

    def own_rows(self, user: User) -> Q:
        """Inspections whose team the user belongs to."""
        return Q(team=user)


class Inspection(AuditedModel):
    """An inspection (cuộc thanh tra): its decision, team, conclusion and recommendations."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Trong kế hoạch")
        DECIDED = "decided", _("Đã có quyết định thanh tra")
        CONCLUDED = "concluded", _("Đã kết luận")
        CLOSED = "closed", _("Đã hoàn thành kiến nghị")

    plan = models.ForeignKey(
        InspectionPlan,
        verbose_name=_("kế hoạch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan thanh tra"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.CharField(_("nội dung thanh tra"), max_length=255)
    target = models.CharField(_("đối tượng thanh tra"), max_length=255)
    scheduled = models.BooleanField(_("theo kế hoạch"), default=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    decision_number = models.CharField(_("số quyết định thanh tra"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    duration_days = models.PositiveIntegerField(
        _("thời hạn thanh tra (ngày)"), null=True, blank=True
    )
    team_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trưởng đoàn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("thành viên đoàn"), blank=True, related_name="+"
    )
    conclusion = models.TextField(_("kết luận thanh tra"), blank=True)
    conclusion_number = models.CharField(_("số kết luận"), max_length=60, blank=True)
    concluded_on = models.DateField(_("ngày kết luận"), null=True, blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("cuộc thanh tra")
        verbose_name_plural = _("cuộc thanh tra")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("complaints:inspection", args=[self.pk])


class Recommendation(AuditedModel):
    """A recommendation of an inspection conclusion, followed up until done."""

    class Status(models.TextChoices):
        OPEN = "open", _("Chưa thực hiện")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        DONE = "done", _("Đã thực hiện xong")

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="recommendations"
    )
    text = models.TextField(_("nội dung kiến nghị"))
    responsible = models.CharField(_("đơn vị, cá nhân thực hiện"), max_length=255)
    due_date = models.DateField(_("hạn thực hiện"), null=True, blank=True)
    amount_recovered = models.BigIntegerField(_("số tiền kiến nghị thu hồi (đồng)"), default=0)
    status = models.CharField(
        _("tình trạng"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    follow_up = models.TextField(_("kết quả theo dõi, đôn đốc"), blank=True)
    done_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)

    class Meta:
        verbose_name = _("kiến nghị thanh tra")
        verbose_name_plural = _("kiến nghị thanh tra")
        ordering = ["inspection", "pk"]

    def __str__(self) -> str:
        return self.text[:80]
