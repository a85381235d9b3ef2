"""Fixtures every test folder shares: settings for tests, the organisations, users per role, a real
Celery worker over Redis, and an API client."""

from __future__ import annotations

import os

import pytest
from rest_framework.test import APIClient

from tenants.roles import Role

from .factories import OrganisationFactory, ProviderFactory, user_with_role

# Playwright's sync API runs an event loop in the test thread; the ORM calls beside it are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
    # Two-factor authentication is tested on its own (tests/tenants/test_mfa.py); elsewhere it is off.
    settings.MFA_REQUIRED = False
    settings.DEMO_PASSWORD_SET = True  # seed_demo refuses without it: tests/test_security.py


@pytest.fixture
def provider(db):
    return ProviderFactory()


@pytest.fixture
def municipality(db):
    return OrganisationFactory(name="Gemeente Alfa", slug="alfa", cbs_code="9001")


@pytest.fixture
def other_municipality(db):
    return OrganisationFactory(name="Gemeente Bravo", slug="bravo", cbs_code="9002")


@pytest.fixture
def contract_manager(municipality):
    return user_with_role(municipality, Role.CONTRACT_MANAGER)


@pytest.fixture
def finance_user(municipality):
    return user_with_role(municipality, Role.FINANCE)


@pytest.fixture
def provider_staff(provider):
    return user_with_role(provider, Role.PROVIDER_STAFF)


@pytest.fixture
def provider_finance(provider):
    return user_with_role(provider, Role.PROVIDER_FINANCE)


@pytest.fixture
def api_client():
    return APIClient()


def client_for(user):
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture(scope="session", autouse=True)
def _task_queue_per_test_process():
    """Each test process (pytest-xdist) sends its tasks to a queue of its own and its worker takes them
    from there: two workers on one Redis would otherwise run each other's tasks against the wrong test
    database."""
    from config.celery import app

    app.conf.task_default_queue = f"tests-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker over Redis, in a thread; tasks see committed rows only."""
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from config.celery import app

    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL is not set: the Celery tests need a real broker (make test sets it).")
    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield app
