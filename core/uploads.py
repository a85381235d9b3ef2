"""Checks for uploaded files: a size limit per kind and, for PDFs, a real parse.

Limits come from the settings ``UPLOAD_MAX_PDF_MB`` and ``UPLOAD_MAX_CSV_MB``. Every message names the
file and says what is wrong, in Dutch; nothing is stored before the checks pass.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MB = 1024 * 1024


def check_size(upload, *, max_mb: int) -> None:
    size = getattr(upload, "size", None)
    if size is not None and size > max_mb * MB:
        raise ValidationError(
            _("Het bestand %(name)s is %(size)s MB; de grens is %(max)s MB.")
            % {"name": _name(upload), "size": f"{size / MB:.1f}".replace(".", ","), "max": max_mb}
        )


def check_pdf(upload) -> None:
    """A PDF no larger than ``UPLOAD_MAX_PDF_MB``, named ``.pdf``, that starts as a PDF and parses."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    check_size(upload, max_mb=settings.UPLOAD_MAX_PDF_MB)
    name = _name(upload)
    not_a_pdf = ValidationError(_("Het bestand %(name)s is geen geldig pdf-bestand.") % {"name": name})
    if not name.lower().endswith(".pdf"):
        raise not_a_pdf
    upload.seek(0)
    if upload.read(5) != b"%PDF-":
        upload.seek(0)
        raise not_a_pdf
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if len(reader.pages) < 1:
            raise not_a_pdf
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise not_a_pdf from error
    finally:
        upload.seek(0)


def check_csv(upload) -> None:
    check_size(upload, max_mb=settings.UPLOAD_MAX_CSV_MB)


def _name(upload) -> str:
    name = getattr(upload, "name", "") or _("zonder naam")
    return str(name).rsplit("/", 1)[-1]
