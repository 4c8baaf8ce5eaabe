import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'rectify.settings');"
         "django.setup(); from rectify.celery import app;"
         "print(app.conf.broker_url); print(app.conf.task_serializer, app.conf.task_acks_late,"
         " app.conf.timezone)")


def celery_conf(**env):
    environment = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | env
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=environment,
                            capture_output=True, text=True, check=True)
    return result.stdout.splitlines()


def test_celery_uses_embedded_filesystem_broker_without_redis_url():
    broker, options = celery_conf()
    assert broker == "filesystem://"
    assert options == "json True Asia/Shanghai"


def test_celery_uses_redis_when_redis_url_is_set():
    broker, _options = celery_conf(REDIS_URL="redis://127.0.0.1:6379/3")
    assert broker == "redis://127.0.0.1:6379/3"
