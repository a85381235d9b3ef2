"""Cross-tenant entries for the readable histories of measurements and breach explanations."""

from datetime import date
from decimal import Decimal

from quality.models import BreachNote, Kpi
from tests.tenancy import detail_route

from .factories import MeasurementFactory
from .tenancy import _service


@detail_route("history-meting")
@detail_route("api:history-meting")
def measurement_history(org):
    measurement = MeasurementFactory(
        customer=org, service=_service(), month=date(2024, 2, 1), value=Decimal("70")
    )
    return {"pk": measurement.pk}


@detail_route("history-toelichting")
@detail_route("api:history-toelichting")
def breach_note_history(org):
    note = BreachNote.objects.create(
        customer=org,
        service=_service(),
        year=2024,
        quarter=3,
        kpi=Kpi.AVAILABILITY,
        explanation=f"Storing {org.name}",
    )
    return {"pk": note.pk}
