"""A real prefork Celery worker for the fault tests, with one hook: billing a customer can be held.

``python -m tests.billing.fault_worker QUEUE`` (environment: DATABASE_URL of the test database,
REDIS_URL of a Redis db of its own, FAULT_PREFIX). While the Redis key ``<prefix>:hold`` exists, the
second customer of a run waits (in small steps, so a soft time limit can interrupt it) after writing the
worker process's pid and its database backend's pid, so a test can kill the one or terminate the other.
"""

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from billing.services import runs  # noqa: E402
from config.celery import app  # noqa: E402

PREFIX = os.environ["FAULT_PREFIX"]
store = redis.Redis.from_url(settings.REDIS_URL)
real_bill_customer = runs._bill_customer
calls = {"n": 0}


def held_bill_customer(plan, period, run, by):
    calls["n"] += 1
    if calls["n"] == 2 and store.exists(f"{PREFIX}:hold"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        store.set(f"{PREFIX}:backend_pid", backend)
        store.set(f"{PREFIX}:child_pid", os.getpid())
        deadline = time.monotonic() + 120
        while store.exists(f"{PREFIX}:hold") and time.monotonic() < deadline:
            time.sleep(0.05)
    return real_bill_customer(plan, period, run, by)


runs._bill_customer = held_bill_customer

if __name__ == "__main__":
    queue = sys.argv[1]
    app.conf.task_always_eager = False
    app.worker_main(
        [
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            f"--queues={queue}",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ]
    )
