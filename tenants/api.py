"""API of the tenants app: the organisations the user may see."""

from rest_framework import serializers, viewsets

from core.api import ExportListMixin
from core.exports import DATE, Column

from .mixins import ScopedViewSetMixin
from .models import Organisation
from .selectors import visible_organisations


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "kind",
            "cbs_code",
            "oin",
            "kvk",
            "vat_number",
            "street",
            "postal_code",
            "city",
            "iban",
            "active_from",
            "active_until",
        ]


class OrganisationViewSet(ScopedViewSetMixin, ExportListMixin, viewsets.ReadOnlyModelViewSet):
    """Organisations: a customer-side user sees its own, provider roles see all of them."""

    serializer_class = OrganisationSerializer
    lookup_field = "slug"
    filterset_fields = ["kind"]
    export_filename = "organisaties"
    export_columns = [
        Column("slug", "slug"),
        Column("name", "name"),
        Column("kind", "kind"),
        Column("cbs_code", "cbs_code"),
        Column("oin", "oin"),
        Column("kvk", "kvk"),
        Column("vat_number", "vat_number"),
        Column("street", "street"),
        Column("postal_code", "postal_code"),
        Column("city", "city"),
        Column("iban", "iban"),
        Column("active_from", "active_from", DATE),
        Column("active_until", "active_until", DATE),
    ]

    def get_queryset(self):
        return visible_organisations(self.request.user).order_by("name")


def register(router) -> None:
    router.register("organisations", OrganisationViewSet, basename="organisation")
