"""Celery tasks of the tenants app: thin wrappers around service functions."""

from celery import shared_task

from .services import purge_login_records


@shared_task(name="tenants.purge_login_records_task")
def purge_login_records_task(*, older_than_days: int = 90) -> int:
    """Daily: drop login records (axes) older than the retention period. Safe to run twice."""
    return purge_login_records(older_than_days=older_than_days)


@shared_task(name="tenants.send_account_email_task")
def send_account_email_task(*, subject: str, body: str, to: str) -> int:
    """An account e-mail (a password reset link), sent outside the request that asked for it."""
    from django.conf import settings
    from django.core.mail import send_mail

    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
