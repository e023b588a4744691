"""Settings for the test suite: the production settings with what tests need changed."""

from lienthong.settings import *  # noqa: F403
from lienthong.settings import STORAGES

# The test client speaks plain HTTP; the production redirect to HTTPS is tested on its own
# (tests/test_cli.py serves with the production settings).
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# No collectstatic in tests: static files come from the apps' folders, found on request.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Hashing passwords slowly is the point in production and only a cost here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
