"""docker-compose.yml, read as Docker would (no Docker engine here: a YAML
load, then every service, variable, file and health check it names is
checked against the repository). `make smoke` runs the same wiring."""

import re
from pathlib import Path

from django.urls import resolve

import yaml

from config.settings.env import REQUIRED_ENVIRONMENT
from tests.support.processes import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("release", "web", "worker", "beat")


def env_file(path):
    return dict(
        line.split("=", 1) for line in (ROOT / path).read_text().splitlines() if line and not line.startswith("#")
    )


def test_it_names_the_production_stack():
    assert set(SERVICES) == {
        "varnish",
        "release",
        "web",
        "worker",
        "beat",
        "postgres",
        "redis",
        "counts",
        "elasticsearch",
    }
    assert set(COMPOSE["volumes"]) == {
        volume.split(":")[0] for service in SERVICES.values() for volume in service.get("volumes", [])
    } - {"./caching/varnish.vcl"}


def test_every_variable_production_requires_comes_from_compose_or_the_env_file():
    example = env_file(".env.example")
    for service in APP_SERVICES:
        provided = set(SERVICES[service]["environment"]) | set(example)
        assert SERVICES[service]["env_file"] == ".env"
        missing = [name for name in REQUIRED_ENVIRONMENT if name not in provided and name != "RELEASE_ID"]
        assert not missing, (service, missing)
        # RELEASE_ID is baked into the image at build time.
        assert SERVICES[service]["build"]["args"]["RELEASE_ID"].startswith("${RELEASE_ID:?")
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "ARG RELEASE_ID" in dockerfile and "RELEASE_ID=${RELEASE_ID}" in dockerfile


def test_read_counts_and_their_salt_live_in_a_redis_that_writes_nothing_to_disk():
    counts = SERVICES["counts"]
    assert counts["command"] == 'redis-server --save "" --appendonly no'
    assert "volumes" not in counts
    for service in APP_SERVICES:
        assert SERVICES[service]["environment"]["READ_COUNTS_REDIS_URL"] == "redis://counts:6379/0"


def test_only_varnish_is_trusted_to_name_the_client():
    varnish_address = SERVICES["varnish"]["networks"]["talkies"]["ipv4_address"]
    for service in APP_SERVICES:
        assert SERVICES[service]["environment"]["TRUSTED_PROXIES"] == varnish_address
    # Readers reach web only through Varnish: web publishes no port of its own.
    assert "ports" not in SERVICES["web"]
    assert SERVICES["varnish"]["ports"] == ["80:80"]
    assert SERVICES["web"]["environment"]["VARNISH_URL"] == "http://varnish:80"


def test_the_files_commands_and_health_checks_it_names_exist():
    vcl = SERVICES["varnish"]["volumes"][0].split(":")[0]
    assert (ROOT / vcl).is_file()
    vcl_text = (ROOT / vcl).read_text()
    assert '.host = "web";' in vcl_text and '.port = "8000";' in vcl_text
    assert "gunicorn config.wsgi:application --bind 0.0.0.0:8000" in SERVICES["web"]["command"]
    assert SERVICES["worker"]["command"].startswith("celery -A config worker")
    assert SERVICES["beat"]["command"].startswith("celery -A config beat")
    assert "migrate --no-input && python manage.py purge_caches" in SERVICES["release"]["command"]
    for service in ("web", "worker", "beat"):
        assert SERVICES[service]["depends_on"]["release"] == {"condition": "service_completed_successfully"}

    web_check = " ".join(SERVICES["web"]["healthcheck"]["test"])
    path = re.search(r"http://127\.0\.0\.1:8000(/\w+)", web_check).group(1)
    assert resolve(path).url_name == "healthz"
    for service in ("postgres", "redis", "counts"):
        assert SERVICES[service]["healthcheck"]["test"]
        assert SERVICES["release"]["depends_on"][service] == {"condition": "service_healthy"}
    assert "inspect ping" in " ".join(SERVICES["worker"]["healthcheck"]["test"])
    assert Path(ROOT / ".dockerignore").read_text().splitlines()[0] == ".git"
