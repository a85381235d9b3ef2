"""Renderers of the per-invoice documents (SI-UBL XML, PDF), so clients may ask for their media type."""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.http import HttpResponse
from rest_framework import renderers

from billing.ubl import CONTENT_TYPE as UBL_CONTENT_TYPE


class XMLDocumentRenderer(renderers.BaseRenderer):
    """Lets clients ask for ``application/xml``; an error then comes as a small XML document."""

    media_type = UBL_CONTENT_TYPE
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        detail = data.get("detail", "") if isinstance(data, dict) else data
        return f"<error>{escape(str(detail))}</error>".encode()


class PDFDocumentRenderer(renderers.BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


def document_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
