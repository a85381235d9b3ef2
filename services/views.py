"""Catalogue pages, for every portal role: the catalogue by domain and a page per service."""

from __future__ import annotations

from django.http import Http404
from django.views.generic import TemplateView

from tenants.mixins import PortalAccessMixin

from . import selectors
from .forms import CatalogueFilterForm


class CatalogueView(PortalAccessMixin, TemplateView):
    template_name = "services/catalogue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        years = selectors.tariff_years()
        domains = list(selectors.domains_for(user))
        form = CatalogueFilterForm(self.request.GET or None, domains=domains, years=years)
        year, search, domain = selectors.default_year(years), "", ""
        if form.is_bound and form.is_valid():
            year = form.cleaned_data["jaar"] or year
            search = form.cleaned_data["zoek"].strip()
            domain = form.cleaned_data["domein"]
        if not form.is_bound:
            form = CatalogueFilterForm(initial={"jaar": year}, domains=domains, years=years)
        services = list(selectors.catalogue_for(user, year=year, search=search, domain=domain))
        groups = []
        for service in services:
            if not groups or groups[-1]["domain"].pk != service.domain_id:
                groups.append({"domain": service.domain, "services": []})
            groups[-1]["services"].append(service)
        context.update(
            form=form,
            year=year,
            search=search,
            groups=groups,
            count=len(services),
            basic_count=sum(1 for s in services if s.is_basic),
            illustrative=selectors.figures_are_illustrative(),
        )
        return context


class ServiceDetailView(PortalAccessMixin, TemplateView):
    template_name = "services/service_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        code = self.kwargs["code"].strip().upper()
        service = selectors.service_for(self.request.user, code=code) if code else None
        if service is None:
            raise Http404
        context.update(
            service=service,
            tariff_rows=selectors.tariff_rows_of(service),
            service_levels=selectors.service_levels_of(service),
            history=selectors.history_of(service),
            illustrative=selectors.figures_are_illustrative(),
        )
        return context
