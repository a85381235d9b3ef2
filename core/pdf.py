"""Every PDF of the portal is made here (WeasyPrint), and none fetches anything from outside.

The one URL fetcher serves the project's own static files and refuses every other URL: another host,
a local file, a path outside the static folders. A name or address inside a document (a supplier called
``</style><style>@import url(http://...)``) therefore never makes the server send a request (SSRF).
Templates keep dynamic data out of their ``<style>`` blocks as well (running elements for footers).
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation

logger = logging.getLogger(__name__)

#: Relative URLs in a PDF template resolve against this address, which is never looked up.
BASE_URL = "https://portaal.invalid/"
_BASE = urlsplit(BASE_URL)


class RefusedURL(ValueError):
    """A PDF asked for something other than one of the project's static files."""


def static_file_for(url: str) -> tuple[bytes, str]:
    """The bytes and type of the static file that ``url`` names (``/static/...`` on the base address or
    as ``file:///static/...``); anything else is refused with :class:`RefusedURL`."""
    parts = urlsplit(url)
    on_base = parts.scheme == _BASE.scheme and parts.netloc == _BASE.netloc
    as_file = parts.scheme == "file" and parts.netloc == ""
    path = unquote(parts.path)
    if not (on_base or as_file) or not path.startswith(settings.STATIC_URL) or ".." in path.split("/"):
        raise RefusedURL(f"Not fetched while making a PDF: {url}")
    try:
        found = finders.find(path.removeprefix(settings.STATIC_URL))
    except SuspiciousFileOperation:
        found = None
    if not found:
        raise RefusedURL(f"No such static file: {url}")
    found_path = found if isinstance(found, str) else found[0]
    return Path(found_path).read_bytes(), mimetypes.guess_type(found_path)[0] or "application/octet-stream"


def static_only_fetcher():
    """A WeasyPrint URL fetcher over :func:`static_file_for`; a refused URL is logged and left out."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)  # inline data: no request leaves the machine
            try:
                body, mime_type = static_file_for(url)
            except RefusedURL:
                logger.warning("PDF: refused to fetch %s", url)
                raise
            return URLFetcherResponse(url, body=body, headers={"Content-Type": mime_type})

    return StaticFilesOnly()


def render_pdf(html: str) -> bytes:
    """The PDF of ``html``; relative URLs resolve against :data:`BASE_URL`, only static files load."""
    from weasyprint import HTML

    return HTML(string=html, base_url=BASE_URL, url_fetcher=static_only_fetcher()).write_pdf()
