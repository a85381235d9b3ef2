"""Celery tasks of the tenants app: thin wrappers around service functions."""

from celery import shared_task

from .services import purge_login_records


@shared_task(name="tenants.purge_login_records_task")
def purge_login_records_task(*, older_than_days: int = 90) -> int:
    """Daily: drop login records (axes) older than the retention period. Safe to run twice."""
    return purge_login_records(older_than_days=older_than_days)
