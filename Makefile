# Talkies: `make run` to start everything locally, `make test` to run the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
HOST ?= 127.0.0.1
MANAGE := $(PY) manage.py
export DJANGO_SETTINGS_MODULE ?= config.settings.dev
# Links printed by the setup (the admin login) point at the port actually served.
export WAGTAILADMIN_BASE_URL ?= http://$(HOST):$(PORT)

.DEFAULT_GOAL := help
.PHONY: help venv install install-dev setup run web worker beat test smoke check lint format bench bench-growth bench-report lock clean

help:
	@echo "make run     set up (venv, migrate, demo content) and start web + Celery worker + beat"
	@echo "make test    set up the dev environment and run the whole test suite"
	@echo "make lint    ruff check and format check"
	@echo "make smoke   the docker-compose wiring without Docker: gunicorn, Varnish, worker, beat, driven end to end"
	@echo "make check   the fast checks CI runs first: ruff, migrations, check, check --deploy"
	@echo "make bench   benchmark reader pages, search, the newsroom and the workers"
	@echo "make bench-growth  reader pages at 1,000, 10,000 and 50,000 stories, drawn as a chart"
	@echo "make bench-report  rewrite the README's measured figures from the newest bench/results/ file"

$(PY):
	@echo "==> Creating virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Reinstall only when a requirements file changed since the last install.
$(VENV)/.installed-base: $(PY) requirements/base.txt requirements/production.txt requirements/constraints.txt
	@echo "==> Installing requirements"
	$(PIP) install --quiet -r requirements/production.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-base requirements/dev.txt
	@echo "==> Installing development requirements"
	$(PIP) install --quiet -r requirements/dev.txt
	@touch $@

install: $(VENV)/.installed-base
install-dev: $(VENV)/.installed-dev

setup: install
	@echo "==> Applying database migrations"
	$(MANAGE) migrate --no-input
	@echo "==> Collecting static files"
	$(MANAGE) collectstatic --no-input --verbosity 0
	@echo "==> Creating demo content and users"
	$(MANAGE) seed_demo

run: setup
	@echo "==> Starting web on http://$(HOST):$(PORT)/ with a Celery worker and beat (Ctrl-C stops all)"
	@trap 'kill 0' INT TERM EXIT; \
	$(VENV)/bin/celery -A config worker --loglevel=INFO --concurrency=2 --hostname=talkies-dev@%h & \
	$(VENV)/bin/celery -A config beat --loglevel=INFO & \
	$(MANAGE) runserver $(HOST):$(PORT) & \
	wait

web: setup
	$(MANAGE) runserver $(HOST):$(PORT)

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=INFO

# Debian packages (Chromium, Varnish, ...) come with the goal that needs them.
DEBIAN_PACKAGES := requirements/install-debian-packages

test: install-dev
	@$(DEBIAN_PACKAGES) test
	@echo "==> Running the test suite (settings: config.settings.test)"
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest --ignore=tests/smoke $(PYTEST_ARGS)

# BENCH_ARTICLES=N (default 10000), BENCH_FOLLOWERS (100000), BENCH_ROUNDS, BENCH_SECONDS, COMPARE=old.json.
bench: install-dev
	@$(DEBIAN_PACKAGES) bench
	$(PY) bench/run.py $(if $(BENCH_ARTICLES),--articles $(BENCH_ARTICLES)) $(if $(BENCH_FOLLOWERS),--followers $(BENCH_FOLLOWERS)) $(if $(COMPARE),--compare $(COMPARE))

bench-growth: install-dev
	@$(DEBIAN_PACKAGES) bench
	$(PY) bench/growth.py $(if $(BENCH_GROWTH),--sizes $(BENCH_GROWTH))

# The production stack of docker-compose.yml, on this machine, driven as a newsroom would.
smoke: install-dev
	@$(DEBIAN_PACKAGES) smoke
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest tests/smoke $(PYTEST_ARGS)

# What CI runs before the long suite: each fails in seconds.
check: lint
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) check --fail-level WARNING
	$(DEPLOY_ENV) $(MANAGE) check --deploy --fail-level WARNING
	$(PY) bench/report.py --check

bench-report: install-dev
	$(PY) bench/report.py

# A production configuration with every service named (placeholders: check
# --deploy reads settings, it does not connect).
DEPLOY_ENV := env DJANGO_SETTINGS_MODULE=config.settings.production \
	SECRET_KEY=check-deploy-placeholder-0123456789-abcdefghijklmnopqrstuvwxyz \
	ALLOWED_HOSTS=talkies.example.com WAGTAILADMIN_BASE_URL=https://talkies.example.com \
	DATABASE_URL=postgres://talkies@db.example.com/talkies CACHE_URL=redis://redis.example.com:6379/1 \
	CELERY_BROKER_URL=redis://redis.example.com:6379/0 EMAIL_HOST=smtp.example.com RELEASE_ID=check

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

lock: install-dev
	$(PIP) freeze --exclude-editable > requirements/constraints.txt

clean:
	rm -rf var static_collected media
