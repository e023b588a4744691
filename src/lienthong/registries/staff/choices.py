"""Choice sets of the staff registry, each with the legal text it comes from (see DOMAIN.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """Kind of staff member (Law 22/2008/QH12 Art. 4; Law 58/2010/QH12 Art. 2)."""

    OFFICIAL = "official", _("Cán bộ")
    CIVIL_SERVANT = "civil_servant", _("Công chức")
    PUBLIC_EMPLOYEE = "public_employee", _("Viên chức")
    CONTRACT = "contract", _("Hợp đồng lao động")


class Sex(models.TextChoices):
    """Sex as recorded on the personal ID."""

    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class RankKind(models.TextChoices):
    """A civil-servant rank (ngạch) or a public employee's professional title."""

    CIVIL_SERVANT = "civil_servant", _("Ngạch công chức")
    PUBLIC_EMPLOYEE = "public_employee", _("Chức danh nghề nghiệp viên chức")


class SchoolLevel(models.TextChoices):
    """Level of education a school (and its teachers) works at (Law on Education 2019)."""

    PRESCHOOL = "preschool", _("Mầm non")
    PRIMARY = "primary", _("Tiểu học")
    LOWER_SECONDARY = "lower_secondary", _("Trung học cơ sở")
    UPPER_SECONDARY = "upper_secondary", _("Trung học phổ thông")


class EmploymentStatus(models.TextChoices):
    """Whether the person still works in the unit."""

    WORKING = "working", _("Đang công tác")
    RETIRED = "retired", _("Đã nghỉ hưu")
    LEFT = "left", _("Đã thôi việc, chuyển công tác")


class DisciplineForm(models.TextChoices):
    """Forms of discipline (Law 22/2008 Art. 78, 79; Law 58/2010 Art. 52)."""

    REPRIMAND = "reprimand", _("Khiển trách")
    WARNING = "warning", _("Cảnh cáo")
    STEP_DOWN = "step_down", _("Hạ bậc lương")
    DEMOTION = "demotion", _("Giáng chức")
    DISMISSAL = "dismissal", _("Cách chức")
    FORCED_RESIGNATION = "forced_resignation", _("Buộc thôi việc")
    REMOVAL = "removal", _("Bãi nhiệm")


#: Which forms the law provides for each category. Contract workers: the forms Circular
#: 03/2021/TT-BNV names for "người lao động" (reprimand, warning, dismissal) and ending the
#: contract.
DISCIPLINE_FORMS_BY_CATEGORY: dict[str, frozenset[str]] = {
    Category.OFFICIAL: frozenset(
        {
            DisciplineForm.REPRIMAND,
            DisciplineForm.WARNING,
            DisciplineForm.DISMISSAL,
            DisciplineForm.REMOVAL,
        }
    ),
    Category.CIVIL_SERVANT: frozenset(
        {
            DisciplineForm.REPRIMAND,
            DisciplineForm.WARNING,
            DisciplineForm.STEP_DOWN,
            DisciplineForm.DEMOTION,
            DisciplineForm.DISMISSAL,
            DisciplineForm.FORCED_RESIGNATION,
        }
    ),
    Category.PUBLIC_EMPLOYEE: frozenset(
        {
            DisciplineForm.REPRIMAND,
            DisciplineForm.WARNING,
            DisciplineForm.DISMISSAL,
            DisciplineForm.FORCED_RESIGNATION,
        }
    ),
    Category.CONTRACT: frozenset(
        {
            DisciplineForm.REPRIMAND,
            DisciplineForm.WARNING,
            DisciplineForm.DISMISSAL,
            DisciplineForm.FORCED_RESIGNATION,
        }
    ),
}


class RewardForm(models.TextChoices):
    """Forms of commendation and individual emulation titles (Law 06/2022/QH15 Art. 9, 19)."""

    ORDER = "order", _("Huân chương")
    MEDAL = "medal", _("Huy chương")
    HONOUR_TITLE = "honour_title", _("Danh hiệu vinh dự nhà nước")
    PRIZE = "prize", _("Giải thưởng Hồ Chí Minh, Giải thưởng Nhà nước")
    COMMEMORATIVE = "commemorative", _("Kỷ niệm chương")
    CERTIFICATE_OF_MERIT = "certificate_of_merit", _("Bằng khen")
    LETTER_OF_PRAISE = "letter_of_praise", _("Giấy khen")
    NATIONAL_EMULATION = "national_emulation", _("Chiến sĩ thi đua toàn quốc")
    PROVINCIAL_EMULATION = "provincial_emulation", _("Chiến sĩ thi đua bộ, ban, ngành, tỉnh")
    GRASSROOTS_EMULATION = "grassroots_emulation", _("Chiến sĩ thi đua cơ sở")
    ADVANCED_WORKER = "advanced_worker", _("Lao động tiên tiến")


class QualificationKind(models.TextChoices):
    """What a qualification attests."""

    PROFESSIONAL = "professional", _("Chuyên môn")
    POLITICAL_THEORY = "political_theory", _("Lý luận chính trị")
    STATE_MANAGEMENT = "state_management", _("Quản lý nhà nước")
    FOREIGN_LANGUAGE = "foreign_language", _("Ngoại ngữ")
    IT = "it", _("Tin học")


class DegreeLevel(models.TextChoices):
    """Level of a degree or certificate."""

    VOCATIONAL = "vocational", _("Trung cấp")
    COLLEGE = "college", _("Cao đẳng")
    BACHELOR = "bachelor", _("Đại học")
    MASTER = "master", _("Thạc sĩ")
    DOCTOR = "doctor", _("Tiến sĩ")
    ELEMENTARY = "elementary", _("Sơ cấp")
    ADVANCED = "advanced", _("Cao cấp")
    CERTIFICATE = "certificate", _("Chứng chỉ")


class SalaryChangeReason(models.TextChoices):
    """Why a salary placement changed (quá trình lương)."""

    INITIAL = "initial", _("Xếp lương lần đầu")
    REGULAR_RAISE = "regular_raise", _("Nâng bậc lương thường xuyên")
    EARLY_RAISE = "early_raise", _("Nâng bậc lương trước thời hạn")
    OVER_SCALE = "over_scale", _("Phụ cấp thâm niên vượt khung")
    PROMOTION = "promotion", _("Nâng ngạch, thăng hạng")
    TRANSFER = "transfer", _("Chuyển ngạch, chuyển chức danh")
    STEP_DOWN = "step_down", _("Hạ bậc lương (kỷ luật)")
    CORRECTION = "correction", _("Điều chỉnh, sửa sai")
