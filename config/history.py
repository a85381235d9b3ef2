"""One readable history for every audited model: a page and an API endpoint per model the apps name.

An app lists its audited models in ``<app>/portal.py`` as ``AUDITED = [Audited(...)]``; each gets
``/historie/<key>/<pk>/`` (name ``history-<key>``) and ``/api/v1/history/<key>/<pk>/`` (name
``api:history-<key>``). The object is looked up in the app's own scoped selector, so another tenant's
object answers 404 like every other page.
"""

from __future__ import annotations

from django.urls import path
from django.views.generic import TemplateView
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core.audit import history_entries
from core.portal import Audited
from tenants.mixins import HasPortalRole, PortalAccessMixin, get_scoped_object

from .portal import portal_modules

#: entries shown at most on one page or in one answer, newest first
HISTORY_LIMIT = 500


def audited_models() -> dict[str, Audited]:
    registry: dict[str, Audited] = {}
    for module in portal_modules("portal"):
        for audited in getattr(module, "AUDITED", []):
            registry[audited.key] = audited
    return registry


class HistoryPageView(PortalAccessMixin, TemplateView):
    template_name = "history.html"
    audited: Audited = None  # type: ignore[assignment]  (set per model by page_urls / api_urls)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audited = self.audited
        obj = get_scoped_object(
            audited.objects_for(self.request.user), user=self.request.user, pk=kwargs["pk"]
        )
        entries = history_entries(audited.sources(obj), limit=HISTORY_LIMIT)
        context.update(
            object=obj,
            title=audited.title(obj),
            back_url=audited.back_url(obj) if audited.back_url else None,
            entries=entries,
            limit=HISTORY_LIMIT,
            is_cut=len(entries) == HISTORY_LIMIT,
        )
        return context


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    who = serializers.CharField()
    subject = serializers.CharField()
    action = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    changes = ChangeSerializer(many=True)


class HistoryAPIView(APIView):
    """Who changed what, when, from what to what and why, newest first (at most 500 entries)."""

    permission_classes = [HasPortalRole]
    audited: Audited = None  # type: ignore[assignment]  (set per model by page_urls / api_urls)

    @extend_schema(responses={200: HistoryEntrySerializer(many=True)})
    def get(self, request, pk: int):
        obj = get_scoped_object(
            self.audited.objects_for(request.user), user=request.user, not_found=NotFound, pk=pk
        )
        entries = history_entries(self.audited.sources(obj), limit=HISTORY_LIMIT)
        return Response(HistoryEntrySerializer(entries, many=True).data)


def page_urls() -> list:
    return [
        path(
            f"historie/{key}/<int:pk>/",
            HistoryPageView.as_view(audited=audited),
            name=f"history-{key}",
        )
        for key, audited in sorted(audited_models().items())
    ]


def api_urls() -> list:
    urls = []
    for key, audited in sorted(audited_models().items()):
        view = type(
            f"{audited.model.__name__}HistoryAPIView",
            (HistoryAPIView,),
            {
                "audited": audited,
                "__doc__": f"Who changed this {audited.model._meta.model_name}, when, from what to what, and why.",
            },
        )
        urls.append(path(f"history/{key}/<int:pk>/", view.as_view(), name=f"history-{key}"))
    return urls
