"""Portal pages of the budget app: budget letters, budget against realisation, and the what-if."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from agreements.selectors import agreements_for
from core.exports import XLSX_CONTENT_TYPE
from services.models import Service
from tenants.mixins import PortalAccessMixin
from tenants.roles import ALL_ROLES, COUNCIL_ROLES, CUSTOMER_ROLES, Role
from tenants.selectors import has_any_role, is_provider_user, organisations_where

from . import charts, selectors
from .forms import GenerateForm, parse_dutch_number
from .models import BudgetLetter
from .services import issuing
from .services.letters import generate_budget_letters, parse_percent
from .whatif import what_if

STAFF = {Role.PROVIDER_STAFF}


def _year_param(request, default: int) -> int:
    try:
        year = int(request.GET.get("jaar", default))
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


#: who reads letters: every portal role, and the municipality's council readers (issued letters only)
READERS = ALL_ROLES | COUNCIL_ROLES


def _safe_back(request, fallback: str) -> str:
    back = request.POST.get("next") or fallback
    allowed = url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return back if allowed else fallback


class LetterListView(PortalAccessMixin, ListView):
    """Every letter the user may see, newest year first; Leiden's staff generate and issue them here.
    A council reader reads its municipality's issued letters."""

    allowed_roles = READERS
    template_name = "budget/letter_list.html"
    context_object_name = "letters"
    paginate_by = 50

    def get_queryset(self):
        letters = selectors.letters_for(self.request.user)
        year = self.request.GET.get("jaar")
        if year and year.isdigit():
            letters = letters.filter(year=int(year))
        return letters.order_by("-year", "customer__name", "-version")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        context["is_provider"] = is_provider_user(user)
        context["may_issue"] = context["is_provider"] and has_any_role(user, STAFF)
        context["form"] = GenerateForm(initial={"year": today.year + 1})
        context["next_year"] = today.year + 1
        context["year"] = self.request.GET.get("jaar", "")
        context["drafts"] = (
            selectors.letters_for(user).filter(status=BudgetLetter.Status.DRAFT).order_by("year").first()
            if context["is_provider"]
            else None
        )
        return context


class GenerateView(PortalAccessMixin, View):
    """POST: drafts for every municipality for a year (all four at once), then review and issue."""

    allowed_roles = STAFF
    http_method_names = ["post"]

    def post(self, request):
        form = GenerateForm(request.POST)
        back = reverse("budget:letter_list")
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return HttpResponseRedirect(back)
        year = form.cleaned_data["year"]
        try:
            result = generate_budget_letters(
                year=year, provisional_percent=form.cleaned_data["provisional_percent"], by=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return HttpResponseRedirect(back)
        for note in result.skipped:
            messages.warning(request, note)
        messages.success(
            request,
            _("%(count)s concepten voor %(year)s klaargezet. Controleer ze en verzend ze.")
            % {"count": len(result.letters), "year": year},
        )
        return HttpResponseRedirect(f"{back}?jaar={year}")


class IssueAllView(PortalAccessMixin, View):
    """POST: issue every draft of a year."""

    allowed_roles = STAFF
    http_method_names = ["post"]

    def post(self, request):
        back = reverse("budget:letter_list")
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            messages.error(request, _("Kies een jaar."))
            return HttpResponseRedirect(back)
        drafts = selectors.letters_for(request.user).filter(year=year, status=BudgetLetter.Status.DRAFT)
        issued = 0
        for letter in drafts:
            try:
                issuing.issue_budget_letter(letter=letter, by=request.user)
                issued += 1
            except ValidationError as exc:
                messages.error(request, f"{letter.customer.name}: {' '.join(exc.messages)}")
        messages.success(request, _("%(count)s begrotingsbrieven verzonden.") % {"count": issued})
        return HttpResponseRedirect(f"{back}?jaar={year}")


class LetterObjectMixin(PortalAccessMixin):
    allowed_roles = READERS

    def get_letter(self) -> BudgetLetter:
        return get_object_or_404(selectors.letters_for(self.request.user), pk=self.kwargs["pk"])


def may_acknowledge(user, letter: BudgetLetter) -> bool:
    return letter.status == BudgetLetter.Status.ISSUED and letter.customer_id in organisations_where(
        user, CUSTOMER_ROLES
    )


def letter_context(user, letter: BudgetLetter) -> dict:
    lines = list(selectors.letter_lines_for(user, letter=letter))
    domains = selectors.subtotals(lines, by="domain")
    taakvelden = selectors.subtotals(lines, by="taakveld")
    for group in taakvelden:
        group.label = selectors.taakveld_label(group.key)
    chart = charts.bar_chart(
        chart_id=f"letter-{letter.pk}",
        title=_("Begroting %(year)s per domein, drie scenario's") % {"year": letter.year},
        categories=[d.label for d in domains],
        series=[
            charts.Series("invoiced", _("Laag"), [d.low for d in domains]),
            charts.Series("budget", _("Verwacht"), [d.amount for d in domains]),
            charts.Series("forecast", _("Hoog"), [d.high for d in domains]),
        ],
        horizontal=True,
    )
    return {
        "letter": letter,
        "lines": lines,
        "domains": domains,
        "taakvelden": taakvelden,
        "chart": chart,
        "vat_breakdown": _vat_breakdown(lines),
    }


def _vat_breakdown(lines):
    from billing.calculations import totals

    return totals(lines).breakdown


class LetterDetailView(LetterObjectMixin, DetailView):
    template_name = "budget/letter_detail.html"

    def get_object(self, queryset=None):
        return self.get_letter()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(letter_context(user, self.object))
        context["may_issue"] = (
            self.object.status == BudgetLetter.Status.DRAFT
            and is_provider_user(user)
            and has_any_role(user, STAFF)
        )
        context["may_acknowledge"] = may_acknowledge(user, self.object)
        return context


class LetterPdfView(LetterObjectMixin, View):
    def get(self, request, pk):
        from .documents import letter_filename, render_letter_pdf

        letter = self.get_letter()
        response = HttpResponse(render_letter_pdf(letter, user=request.user), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{letter_filename(letter, "pdf")}"'
        return response


class LetterXlsxView(LetterObjectMixin, View):
    def get(self, request, pk):
        from .documents import letter_filename, letter_xlsx

        letter = self.get_letter()
        return FileResponse(
            letter_xlsx(letter, user=request.user),
            as_attachment=True,
            filename=letter_filename(letter, "xlsx"),
            content_type=XLSX_CONTENT_TYPE,
        )


class LetterIssueView(LetterObjectMixin, View):
    allowed_roles = STAFF
    http_method_names = ["post"]

    def post(self, request, pk):
        letter = self.get_letter()
        back = reverse("budget:letter_detail", args=[letter.pk])
        try:
            letter = issuing.issue_budget_letter(letter=letter, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return HttpResponseRedirect(back)
        messages.success(request, _("Begrotingsbrief %(number)s is verzonden.") % {"number": letter.number})
        return HttpResponseRedirect(back)


class LetterAcknowledgeView(LetterObjectMixin, View):
    """POST: the municipality's contract manager or finance confirms receipt."""

    allowed_roles = CUSTOMER_ROLES
    http_method_names = ["post"]

    def post(self, request, pk):
        letter = self.get_letter()
        if letter.customer_id not in organisations_where(request.user, CUSTOMER_ROLES):
            raise Http404
        back = reverse("budget:letter_detail", args=[letter.pk])
        try:
            issuing.acknowledge_budget_letter(letter=letter, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return HttpResponseRedirect(back)
        messages.success(
            request, _("U heeft de ontvangst van %(number)s bevestigd.") % {"number": letter.number}
        )
        return HttpResponseRedirect(back)


class RealisationView(PortalAccessMixin, TemplateView):
    """Budget against realisation per municipality: per quarter and for the year, per domain and in
    total, with the three charts."""

    template_name = "budget/realisation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        year = _year_param(self.request, today.year)
        rows = selectors.realisations_for(self.request.user, year=year, today=today)
        context["year"] = year
        context["years"] = list(range(today.year + 1, 2022, -1))
        context["rows"] = [
            {
                "realisation": r,
                "domain_chart": charts.domain_chart(r, chart_id=f"domain-{r.customer.slug}"),
                "quarter_chart": charts.quarter_chart(r, chart_id=f"quarter-{r.customer.slug}"),
            }
            for r in rows
        ]
        context["threshold"] = parse_percent(_threshold())
        return context


def _threshold():
    from django.conf import settings

    return settings.BUDGET_ALERT_THRESHOLD_PERCENT


class WhatIfView(PortalAccessMixin, TemplateView):
    """Try volume changes without submitting anything (a GET form, no JavaScript needed)."""

    template_name = "budget/what_if.html"

    def get_agreement(self):
        agreement = get_object_or_404(agreements_for(self.request.user), pk=self.kwargs["pk"])
        if not self.request.user.has_perm("agreements.view_agreement", agreement):
            raise Http404
        return agreement

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agreement = self.get_agreement()
        today = timezone.localdate()
        errors = []
        changes = {}
        params = self.request.GET
        base = what_if(agreement=agreement, changes={}, today=today)
        effective_from = base.effective_from
        if params.get("per"):
            try:
                effective_from = date.fromisoformat(params["per"])
            except ValueError:
                errors.append(_("Vul een geldige ingangsdatum in, bijvoorbeeld 2027-01-01."))
        extra = []
        known = {s.service.pk: s for s in base.services}
        for effect in base.services:
            raw = params.get(f"afname_{effect.service.code}", "").strip()
            if raw:
                try:
                    value = parse_dutch_number(raw)
                    if value < 0:
                        raise ValueError(raw)
                    changes[effect.service.pk] = value
                except ValueError:
                    errors.append(
                        _("%(service)s: vul een getal in, bijvoorbeeld 11.500 of 11,5.")
                        % {"service": effect.service.code}
                    )
        add_code = params.get("extra_dienst", "").strip()
        add_raw = params.get("extra_afname", "").strip()
        if add_code and add_raw:
            service = Service.objects.select_related("domain").filter(code=add_code).first()
            try:
                value = parse_dutch_number(add_raw)
            except ValueError:
                value = None
                errors.append(_("Extra dienst: vul een getal in, bijvoorbeeld 12 of 12,5."))
            if service is not None and value is not None and service.pk not in known:
                extra.append(service)
                changes[service.pk] = value
        result = (
            what_if(
                agreement=agreement,
                changes=changes,
                effective_from=effective_from,
                extra_services=extra,
                today=today,
            )
            if changes or params.get("per")
            else base
        )
        context.update(
            {
                "agreement": agreement,
                "result": result,
                "errors": errors,
                "params": params,
                "addable": Service.objects.exclude(pk__in=list(known))
                .select_related("domain")
                .order_by("code"),
                "may_request_change": agreement.status == agreement.Status.ACTIVE
                and self.request.user.has_perm("agreements.submit_change_request", agreement),
                "change_links": [
                    (
                        effect,
                        reverse("agreements:change-request-create", args=[agreement.pk])
                        + "?"
                        + urlencode(
                            {
                                "kind": effect.kind,
                                "service": effect.service.pk,
                                "volume": "" if effect.kind == "drop" else effect.volume_text,
                                "effective_from": result.effective_from.isoformat(),
                            }
                        ),
                    )
                    for effect in result.changed
                ],
            }
        )
        return context
