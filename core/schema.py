from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

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


class ErrorSerializer(serializers.Serializer):
    """An error as core.api.exception_handler writes it: ``detail`` for one message; a 400 lists the
    messages per field instead (``non_field_errors`` for the whole request)."""

    detail = serializers.CharField(required=False)


ERRORS = {
    "400": "Bad request: the messages per field (``non_field_errors`` for the whole request).",
    "401": "Not authenticated.",
    "403": "The role may not do this.",
    "404": "Not found (also another organisation's object: its existence is not revealed).",
    "409": "Conflict: the object changed meanwhile (e.g. an invoice already issued).",
}


class PortalAutoSchema(AutoSchema):
    """Documents ``?format=`` on every list endpoint, so finance integrations can find it, and the error
    answers (400, 401, 403, 404, 409) every endpoint may give."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._is_list_view():
            parameters = [*parameters, FORMAT_PARAMETER]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in ERRORS.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code)
                responses[code]["description"] = description
        return responses
