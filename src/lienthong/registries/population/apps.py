from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PopulationConfig(AppConfig):
    """The population registry (cơ sở dữ liệu dân cư)."""

    name = "lienthong.registries.population"
    label = "population"
    verbose_name = _("Cơ sở dữ liệu dân cư")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lienthong.registries.base.access import register_lookup
        from lienthong.registries.population import registry
        from lienthong.registries.population.lookups import PersonLookup

        registry.register_all()
        # Once-only: the one-stop intake finds applicants here by personal ID.
        register_lookup(PersonLookup())
        from lienthong.privacy import exports
        from lienthong.registries.population import privacy_export

        exports.register("population", privacy_export.export_part)
