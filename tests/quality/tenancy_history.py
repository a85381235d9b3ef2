"""Cross-tenant entries for the readable histories of measurements and breach explanations."""

from datetime import date
from decimal import Decimal

from quality.models import BreachNote, Kpi, Measurement
from tests.tenancy import detail_route

from .tenancy import _service


# The walk makes an object per role: one measurement and one explanation per organisation, reused.
@detail_route("history-meting")
@detail_route("api:history-meting")
def measurement_history(org):
    measurement, _created = Measurement.objects.get_or_create(
        customer=org,
        service=_service(),
        month=date(2024, 2, 1),
        kpi=Kpi.AVAILABILITY,
        defaults={"value": Decimal("70"), "source": f"meting {org.name}"},
    )
    return {"pk": measurement.pk}


@detail_route("history-toelichting")
@detail_route("api:history-toelichting")
def breach_note_history(org):
    note, _created = BreachNote.objects.get_or_create(
        customer=org,
        service=_service(),
        year=2024,
        quarter=3,
        kpi=Kpi.AVAILABILITY,
        defaults={"explanation": f"Storing {org.name}"},
    )
    return {"pk": note.pk}
