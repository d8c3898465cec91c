# Kinga — the README's commands.  Only Python 3.11 with pip and venv is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
# The suite runs in parallel (pytest-xdist, one test database per worker); TEST_WORKERS=0 runs it
# in one process.  The browser journeys stay in one process (one Chromium, one live server).
TEST_WORKERS ?= auto
XDIST := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist worksteal)
# A throw-away PostgreSQL database for `make test-pg` (pytest-django creates test_<name>).
PG_URL ?= postgres://postgres@127.0.0.1:5432/kinga_ci

.PHONY: demo serve test test-sqlite test-pg test-browser lint bench clean

# The demo runs with debug off, as in production (Kinga's own error pages), signed with a key
# made once into var/secret_key (`make clean` removes it).
SECRET_KEY_FILE := var/secret_key
DEMO_ENV = KINGA_SECRET_KEY="$$(cat $(SECRET_KEY_FILE))"

$(BIN)/kinga: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml $(BIN)/kinga
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

$(SECRET_KEY_FILE):
	mkdir -p $(dir $@)
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

## make demo: install, create the SQLite database, load the demo data, serve on :8000
demo: $(BIN)/kinga $(SECRET_KEY_FILE)
	$(DEMO_ENV) $(BIN)/kinga migrate --noinput -v 0
	$(DEMO_ENV) $(BIN)/kinga demo
	$(DEMO_ENV) $(BIN)/kinga runserver 127.0.0.1:8000

## make serve: the demo database with the production server (kinga serve: gunicorn, 2 workers)
serve: $(BIN)/kinga $(SECRET_KEY_FILE)
	$(DEMO_ENV) $(BIN)/kinga serve --bind 127.0.0.1:8000

## make test: install the test dependencies and run the whole suite (SQLite + browser)
test: test-sqlite test-browser

test-sqlite: $(VENV)/.test-deps
	$(BIN)/pytest -m "not browser" $(XDIST) $(PYTEST_ARGS)

test-pg: $(VENV)/.test-deps
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser" --create-db $(XDIST) $(PYTEST_ARGS)

test-browser: $(VENV)/.test-deps
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: $(VENV)/.test-deps
	$(BIN)/python bench/generate_enrolment.py
	$(BIN)/python bench/generate_claims.py
	for f in bench/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) var staticfiles *.egg-info
