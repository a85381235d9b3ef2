"""The REST API of billing: the finance exports and the price-equality proof."""

from __future__ import annotations

from rest_framework.routers import BaseRouter

from .price_equality import PriceEqualityViewSet
from .viewsets import InvoiceLineViewSet, InvoiceViewSet, JournalEntryViewSet


def register(router: BaseRouter) -> None:
    router.register("price-equality", PriceEqualityViewSet, basename="price-equality")
    router.register("invoices", InvoiceViewSet, basename="invoice")
    router.register("invoice-lines", InvoiceLineViewSet, basename="invoice-line")
    router.register("journal-entries", JournalEntryViewSet, basename="journal-entry")
