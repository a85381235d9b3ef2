"""``recover_runs [--stale-minutes N]``: runs that stopped without saying so end as failed.

Billing and settlement runs whose heartbeat is older than ``RUN_STALE_MINUTES`` are marked failed
("onderbroken") and their period is billed again by a fresh run; stale transition runs are marked failed
(start them again from their page). Beat runs the same every five minutes (``billing.recover_runs_task``,
``transition.recover_runs_task``).
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from billing.services.recovery import recover_stale_runs as recover_billing_runs
from transition.services.runs import recover_stale_runs as recover_transition_runs


class Command(BaseCommand):
    help = "Mark runs with a stale heartbeat as failed and restart billing for their period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-minutes",
            type=int,
            default=None,
            help=f"how old a heartbeat may be (default RUN_STALE_MINUTES, now {settings.RUN_STALE_MINUTES})",
        )

    def handle(self, *args, **options):
        minutes = options["stale_minutes"]
        if minutes is not None and minutes < 0:
            raise CommandError(f"--stale-minutes {minutes}: zero or more minutes.")
        stale_after = timedelta(minutes=minutes) if minutes is not None else None
        for item in recover_billing_runs(stale_after=stale_after):
            restarted = f"; restarted as run {item.restarted.pk}" if item.restarted else ""
            self.stdout.write(f"billing run {item.run.pk} ({item.run.period}) interrupted{restarted}")
        for run in recover_transition_runs(stale_after=stale_after):
            self.stdout.write(f"transition run {run.pk} interrupted")
        self.stdout.write(self.style.SUCCESS("Recovery done."))
