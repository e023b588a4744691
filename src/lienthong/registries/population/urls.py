"""Pages of the population registry, under /csdl/dan-cu/: persons, and households under
/csdl/dan-cu/ho-gia-dinh/ (the shared registry pages, `registries.base.views`)."""

from lienthong.registries.base import registry as registries
from lienthong.registries.base.views import registry_urls
from lienthong.registries.population.registry import HOUSEHOLDS, PERSONS

app_name = "population"

urlpatterns = [
    *registry_urls(registries.get(HOUSEHOLDS), prefix="ho-gia-dinh/"),
    *registry_urls(registries.get(PERSONS)),
]
