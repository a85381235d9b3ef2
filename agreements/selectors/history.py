"""What the readable history of an agreement or a change request shows (``core.audit.Source``)."""

from __future__ import annotations

from core.audit import Source
from services.models import Service

from ..models import Agreement, AgreementLine, ChangeRequest


def agreement_history_sources(agreement: Agreement) -> list[Source]:
    """The agreement and every line it has had (deleted ones too), each line named by service and year.

    The service codes are read in one query up front, so a long line history costs no more queries.
    """
    line_history = AgreementLine.history.filter(agreement_id=agreement.pk)
    codes = dict(Service.objects.filter(pk__in=line_history.values("service_id")).values_list("pk", "code"))
    agreement_name = str(Agreement._meta.verbose_name)
    line_name = str(AgreementLine._meta.verbose_name)
    return [
        Source(Agreement, {"id": agreement.pk}, lambda r: agreement_name),
        Source(
            AgreementLine,
            {"agreement_id": agreement.pk},
            lambda r: f"{line_name} {codes.get(r.service_id, '')} {r.year}",  # type: ignore[attr-defined]
        ),
    ]


def change_request_history_sources(request: ChangeRequest) -> list[Source]:
    name = str(ChangeRequest._meta.verbose_name)
    return [Source(ChangeRequest, {"id": request.pk}, lambda r: name)]
