"""Kernel models: administrative units, agencies and org units, calendar, audit log."""

from lienthong.core.models.audit import AuditChainHead, AuditedModel, AuditEntry
from lienthong.core.models.calendar import Holiday, WorkingSaturday
from lienthong.core.models.orgs import OrgUnit
from lienthong.core.models.units import AdminUnit

__all__ = [
    "AdminUnit",
    "AuditChainHead",
    "AuditEntry",
    "AuditedModel",
    "Holiday",
    "OrgUnit",
    "WorkingSaturday",
]
