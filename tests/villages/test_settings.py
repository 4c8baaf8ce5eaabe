"""Settings read from the environment strictly; production settings pass the deploy check;
pages are in Chinese unless the user switches."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import get_random_string

from rectify.settings import envbool, envint

BASE_DIR = Path(__file__).resolve().parents[2]


def manage(tmp_path, *args, **env) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh interpreter with only the given Django variables set."""
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("DJANGO_", "ALLOWED_HOSTS", "CSRF_TRUSTED", "DATABASE_URL",
                                    "REDIS_URL"))}
    clean.update(RECTIFY_VAR_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=clean,
                          capture_output=True, text=True, timeout=120)


def production_env(**overrides) -> dict:
    return {"DJANGO_DEBUG": "False", "DJANGO_SECRET_KEY": get_random_string(50),
            "ALLOWED_HOSTS": "example.org", **overrides}


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_secret_key_refuses_to_start(tmp_path):
    env = production_env()
    del env["DJANGO_SECRET_KEY"]

    result = manage(tmp_path, "check", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_without_allowed_hosts_fails_the_deploy_check(tmp_path):
    env = production_env()
    del env["ALLOWED_HOSTS"]

    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **env)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_short_secret_key_fails_the_deploy_check(tmp_path):
    env = production_env(DJANGO_SECRET_KEY="short")

    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **env)

    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_loose_boolean_in_the_environment_refuses_to_start(tmp_path):
    result = manage(tmp_path, "check", DJANGO_DEBUG="yes")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_DEBUG" in result.stderr


def test_embedded_default_needs_no_variables(tmp_path):
    result = manage(tmp_path, "check")

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("value", ["yes", "true", "TRUE", "1", "0", "no", "", " True"])
def test_envbool_accepts_only_true_or_false_spelled_exactly(monkeypatch, value):
    monkeypatch.setenv("RECTIFY_TEST_FLAG", value)

    with pytest.raises(ImproperlyConfigured):
        envbool("RECTIFY_TEST_FLAG", "False")


@pytest.mark.parametrize("value, expected", [("True", True), ("False", False)])
def test_envbool_reads_true_and_false(monkeypatch, value, expected):
    monkeypatch.setenv("RECTIFY_TEST_FLAG", value)

    assert envbool("RECTIFY_TEST_FLAG", "False") is expected


def test_envbool_falls_back_to_the_default(monkeypatch):
    monkeypatch.delenv("RECTIFY_TEST_FLAG", raising=False)

    assert envbool("RECTIFY_TEST_FLAG", "True") is True


@pytest.mark.parametrize("value", ["ten", "1.5", ""])
def test_envint_refuses_what_is_not_an_integer(monkeypatch, value):
    monkeypatch.setenv("RECTIFY_TEST_NUMBER", value)

    with pytest.raises(ImproperlyConfigured):
        envint("RECTIFY_TEST_NUMBER", "0")


# --- language -----------------------------------------------------------------------------------


def test_pages_are_chinese_even_for_an_english_browser(db, client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.content.decode()


def test_admin_login_is_translated_to_chinese_by_default(db, client):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US")

    assert "用户名" in response.content.decode()


def test_api_errors_are_chinese_by_default(db, client):
    response = client.get("/api/v1/villages/", HTTP_ACCEPT_LANGUAGE="en-US")

    assert response["Content-Language"] == "zh-hans"
    assert "身份认证信息未提供" in response.json()["detail"]


def test_language_switch_gives_english_pages(db, client):
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})

    assert switched.status_code == 302
    response = client.get("/accounts/login/")
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    assert "Username" in client.get("/admin/login/").content.decode()


def test_language_switch_back_to_chinese(db, client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})

    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")

    assert response["Content-Language"] == "zh-hans"


def test_unknown_language_cookie_falls_back_to_chinese(db, client):
    client.cookies["django_language"] = "fr"

    response = client.get("/accounts/login/")

    assert response["Content-Language"] == "zh-hans"
