"""``transition_run --staff F --contracts F --agreements F [--execute]``: dry run by default.

Every problem in the three files is printed as ``file:row: column: reason`` and the command exits
non-zero without writing anything. ``--execute`` carries the transition out in one transaction and prints
the reconciliation; the same files again change nothing and say so, different files are refused.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.csvinput import CsvProblems
from transition.inputs import InputFile, TransitionFiles
from transition.models import TransitionRun
from transition.reconciliation import reconcile
from transition.report import summary_lines
from transition.services.runs import execute_transition, plan_transition


class Command(BaseCommand):
    help = "Dry run (default) or execute the Servicepunt71 transition from its three CSV files."

    def add_arguments(self, parser):
        parser.add_argument("--staff", required=True, help="personeel (CSV)")
        parser.add_argument("--contracts", required=True, help="leverancierscontracten (CSV)")
        parser.add_argument(
            "--agreements", required=True, help="overeenkomsten Servicepunt71, volumes 2022 (CSV)"
        )
        parser.add_argument("--execute", action="store_true", help="carry it out (default: dry run)")

    def handle(self, *args, staff, contracts, agreements, execute, **options):
        try:
            files = TransitionFiles(
                InputFile.from_path(staff), InputFile.from_path(contracts), InputFile.from_path(agreements)
            )
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        try:
            outcome = execute_transition(files=files) if execute else plan_transition(files=files)
        except CsvProblems as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("%(count)d problemen gevonden; er is niets geschreven.") % {"count": len(exc.problems)}
            ) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

        self.stdout.write(outcome.message)
        for action in outcome.actions:
            self.stdout.write(f"- {action}")
        if outcome.status == TransitionRun.Status.VALID:
            self.stdout.write("")
            for line in summary_lines(outcome.summary):
                self.stdout.write(line)
            self.stdout.write(_("Proef: er is niets geschreven. Voer uit met --execute."))
            return
        reconciliation = reconcile(outcome.run)
        self.stdout.write("")
        self.stdout.write(_("Aansluiting (bron / Servicepunt71 / Leiden / oordeel):"))
        for row in reconciliation.rows:
            legacy = "-" if row.legacy is None else row.legacy
            self.stdout.write(
                f"{row.section_label:<24} {row.key:<48} {row.source:>14} {legacy!s:>14} {row.result:>14}  "
                f"{row.verdict_label}"
            )
        if reconciliation.is_complete:
            self.stdout.write(self.style.SUCCESS(_("Alles is verantwoord: elke regel klopt.")))
        else:
            raise CommandError(
                _("%(count)d regels van de aansluiting wijken af.") % {"count": reconciliation.deviations}
            )
