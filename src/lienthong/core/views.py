"""Home page: an official's inbox, a citizen's start page."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Liên Thông")


urlpatterns = [path("", home, name="home")]
