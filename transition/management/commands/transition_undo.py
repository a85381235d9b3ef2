"""``transition_undo --run N --reason "..."``: reverse an executed transition nothing has built on yet."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from transition.models import TransitionRun
from transition.services.undo import undo_transition


class Command(BaseCommand):
    help = (
        "Undo an executed transition (employees, contracts, agreements) in one transaction, with history; "
        "refused once an invoice for 2023 or later was issued on its agreements."
    )

    def add_arguments(self, parser):
        parser.add_argument("--run", type=int, required=True, help="the executed transition run")
        parser.add_argument("--reason", required=True, help="why, for the history")

    def handle(self, *args, **options):
        run = TransitionRun.objects.filter(pk=options["run"]).first()
        if run is None:
            raise CommandError(f"--run {options['run']}: no such transition run.")
        try:
            run = undo_transition(run=run, by=None, reason=options["reason"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Transition run {run.pk} undone: {run.message}"))
