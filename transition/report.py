"""The dry run's summary of the source files, in lines for the command and the admin."""

from django.utils.translation import gettext as _


def summary_lines(summary: dict) -> list[str]:
    lines = [
        _("Medewerkers: %(n)s, samen %(fte)s fte")
        % {"n": summary.get("staff", 0), "fte": summary.get("fte", "0")},
        _("Leverancierscontracten: %(n)s, jaarwaarde samen EUR %(value)s")
        % {"n": summary.get("contracts", 0), "value": summary.get("contract_value", "0")},
        _("Regels overeenkomsten: %(n)s") % {"n": len(summary.get("agreement_lines", []))},
    ]
    for title, key in (
        (_("Per functie"), "per_function"),
        (_("Per schaal"), "per_scale"),
        (_("Per standplaats"), "per_location"),
    ):
        lines.append(f"{title}:")
        lines += [f"  {name}: {count}" for name, count in summary.get(key, {}).items()]
    return lines
