from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

FORMAT_PARAMETER = OpenApiParameter(
    name="format",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.QUERY,
    enum=["json", "csv", "xlsx"],
    description=(
        "json (default, paginated), csv (streamed, every row, comma-separated, UTF-8) or xlsx "
        "(every row). Exported amounts use a decimal point and two decimals; dates are ISO 8601."
    ),
)


class PortalAutoSchema(AutoSchema):
    """Documents ``?format=`` on every list endpoint, so finance integrations can find it."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._is_list_view():
            parameters = [*parameters, FORMAT_PARAMETER]
        return parameters
