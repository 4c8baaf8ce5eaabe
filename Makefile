# The README's commands. Everything installs into .venv from pyproject.toml's pins.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
NAME ?=
# Bench databases are named after this one (<name>_20k_loaded, <name>_20k, ...), created on use.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/rectify_bench
# Data sizes for `make bench` (each as its own freshly loaded database): VILLAGES="20000 100000"
VILLAGES ?= 20000

.PHONY: run test bench load install lint messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet '.[dev]'
	touch $@

install: $(VENV)/.installed

## make run: the app on the embedded default (SQLite + filesystem broker), demo data loaded
run: install
	mkdir -p var
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	PORT=$(PORT) bin/run-dev

## make test: the layer contract, then the whole suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
test: install
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest

## make bench [NAME=village_list_api] [VILLAGES="20000 100000"]: ratios against a baseline
bench: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench $(NAME) --villages $(VILLAGES)

## make load: deadline day (locust, headless, bounded) against gunicorn + PostgreSQL + Redis
load: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.load

lint: install
	$(BIN)/ruff check .

## make messages: refresh and compile the Chinese catalogue after changing UI strings
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles
