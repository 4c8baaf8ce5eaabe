"""The project's settings as production runs them (DEBUG off), with the benchmarks' URLs."""

from rectify.settings import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
# Plain HTTP on the loopback: no redirect to HTTPS, no secure-only cookies.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
