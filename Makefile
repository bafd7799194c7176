# ScholarGate: `make run` serves the demo site, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup lint check clean serve-prod

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

## Embedded mode: SQLite, local media, demo content and accounts (loaded once).
run: $(STAMP)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## Every test; PostgreSQL tests need DATABASE_URL, browser tests /usr/bin/chromium.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=scholargate.settings.test $(BIN)/python manage.py check
	$(BIN)/python -m pytest

## Production: gunicorn with scholargate.settings.prod (set SECRET_KEY, ALLOWED_HOSTS,
## DATABASE_URL, REDIS_URL...). WEB_CONCURRENCY workers (default 2 x CPUs), BIND address.
serve-prod: $(STAMP)
	DJANGO_SETTINGS_MODULE=scholargate.settings.prod $(BIN)/python manage.py check --deploy --fail-level WARNING
	DJANGO_SETTINGS_MODULE=scholargate.settings.prod $(BIN)/python manage.py migrate --no-input
	DJANGO_SETTINGS_MODULE=scholargate.settings.prod $(BIN)/python manage.py collectstatic --no-input -v0
	$(BIN)/gunicorn scholargate.wsgi --workers $${WEB_CONCURRENCY:-$$((2 * $$(nproc)))} \
		--bind $${BIND:-127.0.0.1:8000} --access-logfile - --forwarded-allow-ips="$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles test-artifacts
