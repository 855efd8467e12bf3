# The two commands: `make run` and `make test`. Everything else is for developers and CI.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed-$(shell cat requirements/base.txt requirements/dev.txt | cksum | cut -d' ' -f1)

.PHONY: run test test-slow screenshots check migrate bench venv clean-data messages

$(STAMP): requirements/base.txt requirements/dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

## Set up everything (venv, database, migrations, demo) and serve the web app and a Celery worker.
run: venv
	$(PY) scripts/dev.py run

## Set up the same way, then run the whole test suite.
test: venv
	$(PY) scripts/dev.py test $(PYTEST_ARGS)

## Long-running proofs: fuzzing, load and fault tests.
test-slow: venv
	$(PY) scripts/dev.py test-slow $(PYTEST_ARGS)

## Screenshots of each role's workplace on a PC and a phone, into docs/screenshots/.
screenshots: venv
	$(PY) scripts/dev.py screenshots

## Lint, format, types, migrations.
check: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy core tenants provider_portal reception reporting config
	$(PY) scripts/dev.py manage makemigrations --check --dry-run

## Migrate the public schema, the tenant template and every jurisdiction.
migrate: venv
	$(PY) scripts/dev.py manage migrate_schemas --parallel 2

## Every benchmark; prints one table.
bench: venv
	$(PY) scripts/dev.py bench $(BENCH_ARGS)

## Recompile translations after editing locale/*.po.
messages: venv
	$(PY) scripts/dev.py manage compilemessages --ignore .venv

clean-data:
	$(PY) scripts/dev.py stop-db || true
	rm -rf .data
