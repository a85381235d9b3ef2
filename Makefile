# The two commands a new user needs: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PORT ?= 8000

# make test talks to the real services; make run needs none of them.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
TEST_ENV := DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	SECRET_KEY=$${SECRET_KEY:-test-secret-key-not-for-production} DJANGO_DEBUG=false DJANGO_SECURE=false \
	STATIC_MANIFEST=false
# The embedded default: SQLite, tasks in process, friendly error pages (debug off unless DJANGO_DEBUG=true),
# static files served by whitenoise straight from their folders, a secret key kept in var/.
# Demo users log in without a second factor (MFA_REQUIRED=false); production leaves it on.
RUN_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-false} DJANGO_SECURE=false STATIC_MANIFEST=false WHITENOISE_USE_FINDERS=true \
	MFA_REQUIRED=$${MFA_REQUIRED:-false} DEMO_PASSWORD=$${DEMO_PASSWORD:-demo-portaal-2024} \
	SECRET_KEY=$$(cat var/secret_key 2>/dev/null || echo build-only-key) \
	DATABASE_URL=$${RUN_DATABASE_URL:-sqlite:///$(CURDIR)/var/portal.sqlite3} REDIS_URL=

.PHONY: run test lint lock install assets messages schema check-deploy clean e2e

# Python packages come from the lock files (pip-tools); `make lock` regenerates them from pyproject.toml.
$(BIN)/.installed: pyproject.toml requirements/dev.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

lock: $(BIN)/.installed
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements/base.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra dev -o requirements/dev.lock pyproject.toml

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/.installed node_modules/.installed

# NL Design System CSS, its tokens and htmx, copied from npm into static/vendor (generated, not committed).
assets: node_modules/.installed
	mkdir -p static/vendor/utrecht static/vendor/htmx static/vendor/axe
	cp node_modules/@utrecht/component-library-css/dist/index.css static/vendor/utrecht/component-library.css
	cp node_modules/@utrecht/design-tokens/dist/index.css static/vendor/utrecht/design-tokens.css
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/htmx.min.js
	cp node_modules/axe-core/axe.min.js static/vendor/axe/axe.min.js

# .mo files are built, never committed.
messages: $(BIN)/.installed
	$(RUN_ENV) $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

var/secret_key:
	mkdir -p var
	$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

run: install assets messages var/secret_key
	$(RUN_ENV) $(MANAGE) migrate --noinput -v 0
	$(RUN_ENV) $(MANAGE) seed_demo
	@echo
	@echo "Portal: http://127.0.0.1:$(PORT)/   (password for every demo user: $${DEMO_PASSWORD:-demo-portaal-2024})"
	@echo "  contract managers: cm.leiden cm.leiderdorp cm.oegstgeest cm.zoeterwoude"
	@echo "  finance:           fin.leiden fin.leiderdorp fin.oegstgeest fin.zoeterwoude"
	@echo "  Leiden (provider): provider.staff (also /admin/) provider.finance"
	@echo "  council readers:   raad.leiden raad.leiderdorp raad.oegstgeest raad.zoeterwoude"
	@echo
	$(RUN_ENV) $(MANAGE) runserver 127.0.0.1:$(PORT)

# Line coverage of the application code is printed at the end (files at 100% left out).
test: install assets messages
	$(TEST_ENV) $(BIN)/pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

e2e: install assets messages
	$(TEST_ENV) $(BIN)/pytest -m e2e $(PYTEST_ARGS)

# Style, the layer contracts (import-linter), the types of services and selectors (mypy), migrations.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(TEST_ENV) $(BIN)/mypy
	$(TEST_ENV) $(MANAGE) makemigrations --check --dry-run

check-deploy: install
	DJANGO_DEBUG=false SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') DJANGO_ALLOWED_HOSTS=portaal.leiden.example.nl \
		$(MANAGE) check --deploy --fail-level WARNING

schema: install
	$(TEST_ENV) $(MANAGE) spectacular --file openapi.yaml --validate

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles var/*.sqlite3
