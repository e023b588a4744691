"""Once-only pre-fill of an organisation by its tax code (`registries.base.access.prefill`).

The one-stop intake asks `prefill("organisation", tax_code, …)`; the base checks that the
official may read the enterprise registry and logs the read; this lookup finds the live
enterprise — or, for a 13-digit code, the branch or office and its enterprise — and says what
a form needs: name, head-office address (2025 units) and commune, and in `data` the legal
form, legal representative, status and the other names.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from lienthong.registries.base.access import LookupResult
from lienthong.registries.enterprises import taxcodes
from lienthong.registries.enterprises.models import Branch, Enterprise


class EnterpriseLookup:
    """The enterprise registry's answer to "which organisation has this tax code?"."""

    kind = "organisation"
    registry = Enterprise.registry_key

    def find(self, key: str) -> LookupResult | None:
        """The live enterprise (or dependent unit) with tax code `key`, else None."""
        try:
            code = taxcodes.normalise(key)
        except ValidationError:
            return None
        if taxcodes.is_branch_code(code):
            branch = (
                Branch.objects.select_related("enterprise")
                .filter(tax_code=code, enterprise__deleted_at__isnull=True)
                .first()
            )
            if branch is None:
                return None
            enterprise = branch.enterprise
            return LookupResult(
                registry=self.registry,
                record_id=enterprise.pk,
                key=code,
                name=branch.name,
                address=branch.address_text("address"),
                commune=branch.address_commune,
                data={
                    "kind": branch.kind,
                    "kind_label": branch.get_kind_display(),
                    "head_name": branch.head_name,
                    "closed_on": branch.closed_on,
                    "enterprise_tax_code": enterprise.tax_code,
                    "enterprise_name": enterprise.name,
                    "status": enterprise.status,
                    "status_label": enterprise.get_status_display(),
                },
            )
        found = Enterprise.objects.filter(tax_code=code).first()
        if found is None:
            return None
        return LookupResult(
            registry=self.registry,
            record_id=found.pk,
            key=found.tax_code,
            name=found.name,
            address=found.address,
            commune=found.address_commune,
            data={
                "name_foreign": found.name_foreign,
                "name_short": found.name_short,
                "enterprise_type": found.enterprise_type,
                "enterprise_type_label": found.get_enterprise_type_display(),
                "representative_name": found.representative_name,
                "representative_title": found.representative_title,
                "phone": found.phone,
                "email": found.email,
                "main_line": found.main_line,
                "status": found.status,
                "status_label": found.get_status_display(),
            },
        )
