"""No Docker engine runs here, so the compose file is checked by reading it."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_the_production_stack():
    services = compose()["services"]
    assert set(services) >= {"postgres", "redis", "web", "worker", "beat"}
    assert "gunicorn rectify.wsgi:application" in services["web"]["command"]
    assert "migrate" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "rectify", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "rectify", "beat"]


def test_compose_services_have_health_checks_and_wait_for_them():
    services = compose()["services"]
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"


def test_compose_keeps_the_database_in_a_volume():
    document = compose()
    assert "pgdata:/var/lib/postgresql/data" in document["services"]["postgres"]["volumes"]
    assert "pgdata" in document["volumes"]


def test_compose_app_runs_production_settings_against_postgres_and_redis():
    for name in ("web", "worker", "beat"):
        env = compose()["services"][name]["environment"]
        assert env["DJANGO_DEBUG"] == "False"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")
        assert "DJANGO_SECRET_KEY" in env


def test_image_installs_cjk_fonts_and_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "fonts-noto-cjk" in dockerfile
    assert "collectstatic" in dockerfile
    assert "USER rectify" in dockerfile
