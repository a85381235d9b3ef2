"""Portal pages of the agreements app: my agreement, line history, change requests and Leiden's queue."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from tenants.mixins import PortalAccessMixin, ScopedObjectMixin
from tenants.roles import CUSTOMER_ROLES, Role
from tenants.selectors import has_any_role, is_provider_user

from . import selectors
from .forms import ChangeRequestForm, DecisionForm, SignForm, WithdrawForm
from .models import Agreement, ChangeRequest
from .services.agreements import sign_agreement
from .services.change_requests import (
    EffectiveDateInvoiced,
    approve_change_request,
    preview_change_request,
    reject_change_request,
    request_label,
    submit_change_request,
    withdraw_change_request,
)


class AgreementListView(PortalAccessMixin, ListView):
    """Every agreement the user may see: a municipality its own, Leiden's staff all of them."""

    template_name = "agreements/agreement_list.html"
    context_object_name = "agreements"
    paginate_by = 50

    def get_queryset(self):
        return selectors.agreements_for(self.request.user).order_by("customer__name", "-start_date")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context["rows"] = [
            (agreement, selectors.calendar_of(agreement, today=today)) for agreement in context["agreements"]
        ]
        return context


class MyAgreementView(PortalAccessMixin, View):
    """The agreement in force today for the user's municipality."""

    allowed_roles = CUSTOMER_ROLES

    def get(self, request):
        agreement = selectors.own_agreement_for(request.user)
        if agreement is None:
            messages.info(request, _("Er is nog geen overeenkomst voor uw organisatie."))
            return redirect("agreements:list")
        return redirect("agreements:detail", pk=agreement.pk)


class AgreementObjectMixin(ScopedObjectMixin):
    model = Agreement
    object_permission = "agreements.view_agreement"
    context_object_name = "agreement"

    def get_queryset(self):
        return selectors.agreements_for(self.request.user).select_related(
            "customer_signed_by", "provider_signed_by", "predecessor"
        )


class AgreementFormMixin(AgreementObjectMixin):
    """A form about one agreement: a FormView has no object of its own, so the agreement is looked up in
    the user's scope and checked against ``object_permission`` before the form is shown or handled."""

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        obj = get_object_or_404(queryset, pk=self.kwargs["pk"])
        if not self.request.user.has_perm(self.object_permission, obj):
            raise Http404
        return obj

    def get(self, request, *args, **kwargs):
        self.agreement = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.agreement = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["agreement"] = self.agreement
        return context


class AgreementDetailView(AgreementObjectMixin, DetailView):
    template_name = "agreements/agreement_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agreement = self.object
        today = timezone.localdate()
        # One chosen year (?jaar=, default this year) with the year before beside it, newest first.
        years = selectors.chosen_year_costs(agreement, requested=self.request.GET.get("jaar"), today=today)
        context["forecast"] = years.forecast
        context["chosen"], context["previous"] = years.chosen, years.previous
        context["year_choices"] = years.year_choices
        if years.chosen is not None:
            context["compared"] = selectors.compare_years(years.chosen, years.previous)
            if years.previous is not None:
                context["total_delta"] = years.chosen.total - years.previous.total
        context["calendar"] = selectors.calendar_of(agreement, today=today)
        context["open_requests"] = list(
            selectors.open_change_requests_for(self.request.user).filter(agreement=agreement)
        )
        context["signing_side"] = selectors.signing_side(self.request.user, agreement)
        context["may_request_change"] = (
            agreement.status == Agreement.Status.ACTIVE
            and self.request.user.has_perm("agreements.submit_change_request", agreement)
        )
        return context


class SignAgreementView(AgreementFormMixin, FormView):
    """Record a signature (who and when), optionally with the signed PDF; both make the agreement active."""

    allowed_roles = {Role.CONTRACT_MANAGER, Role.PROVIDER_STAFF}
    object_permission = "agreements.sign_agreement"
    template_name = "agreements/sign.html"
    form_class = SignForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["side"] = selectors.signing_side(self.request.user, self.agreement)
        return context

    def form_valid(self, form):
        side = selectors.signing_side(self.request.user, self.agreement)
        if side is None:
            form.add_error(None, _("U kunt deze overeenkomst nu niet ondertekenen."))
            return self.form_invalid(form)
        try:
            sign_agreement(
                agreement=self.agreement,
                side=side,
                by=self.request.user,
                document=form.cleaned_data["document"],
            )
        except ValidationError as exc:
            form.add_error("document" if "pdf" in " ".join(exc.messages) else None, exc.messages)
            return self.form_invalid(form)
        messages.success(self.request, _("Uw handtekening is vastgelegd."))
        return HttpResponseRedirect(reverse("agreements:detail", args=[self.agreement.pk]))


class LineHistoryView(AgreementObjectMixin, DetailView):
    """Every change of every line: who, when, from what to what, and which change request."""

    template_name = "agreements/line_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["changes"] = selectors.line_changes_for(self.request.user, agreement=self.object)[:500]
        return context


class SignedDocumentView(AgreementObjectMixin, DetailView):
    """The signed agreement (PDF), for the municipality's own users and Leiden's staff."""

    def get(self, request, *args, **kwargs):
        agreement = self.get_object()
        if not agreement.signed_document:
            raise Http404
        try:
            handle = agreement.signed_document.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        return FileResponse(handle, as_attachment=True, filename=f"{agreement.number}.pdf")


class ChangeRequestCreateView(AgreementFormMixin, FormView):
    """A contract manager proposes a change; the service checks the rules and tells Leiden."""

    allowed_roles = {Role.CONTRACT_MANAGER}
    object_permission = "agreements.submit_change_request"
    template_name = "agreements/change_request_form.html"
    form_class = ChangeRequestForm

    def get_initial(self):
        """Prefilled from the query string: the what-if page turns its trial into a request this way."""
        initial = super().get_initial()
        for name in ("kind", "service", "volume", "effective_from"):
            if self.request.GET.get(name):
                initial[name] = self.request.GET[name]
        return initial

    def post(self, request, *args, **kwargs):
        self.agreement = self.get_object()
        form = self.get_form()
        if "edit" in request.POST:  # "Wijzigen" on the confirmation step: back to the filled-in form
            return self.render_to_response(
                self.get_context_data(form=ChangeRequestForm(initial=request.POST))
            )
        if not form.is_valid():
            return self.form_invalid(form)
        return self.submit(form) if "confirm" in request.POST else self.confirm(form)

    def confirm(self, form):
        """The second step: what the change does (was, becomes, cost per year), then Bevestigen."""
        data = form.cleaned_data
        try:
            effect = preview_change_request(
                agreement=self.agreement,
                kind=data["kind"],
                service=data["service"],
                volume=data["volume"],
                effective_from=data["effective_from"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        return self.response_class(
            request=self.request,
            template=["agreements/change_request_confirm.html"],
            context=self.get_context_data(
                form=form, effect=effect, data=data, kind_label=ChangeRequest.Kind(data["kind"]).label
            ),
            using=self.template_engine,
        )

    def submit(self, form):
        data = form.cleaned_data
        try:
            change_request = submit_change_request(
                agreement=self.agreement,
                kind=data["kind"],
                service=data["service"],
                volume=data["volume"],
                effective_from=data["effective_from"],
                motivation=data["motivation"],
                by=self.request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Uw wijzigingsverzoek is ingediend. U krijgt bericht zodra erover is besloten.")
        )
        return HttpResponseRedirect(reverse("agreements:change-request-detail", args=[change_request.pk]))


class ChangeRequestListView(PortalAccessMixin, ListView):
    """A municipality's requests and their status; Leiden's roles see every request."""

    template_name = "agreements/change_request_list.html"
    context_object_name = "change_requests"
    paginate_by = 50

    def get_queryset(self):
        queryset = selectors.change_requests_for(self.request.user)
        status = self.request.GET.get("status")
        if status in ChangeRequest.Status.values:
            queryset = queryset.filter(status=status)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["show_customer"] = is_provider_user(self.request.user)
        context["statuses"] = ChangeRequest.Status.choices
        context["current_status"] = self.request.GET.get("status", "")
        return context


class ChangeRequestDetailView(ScopedObjectMixin, DetailView):
    model = ChangeRequest
    object_permission = "agreements.view_changerequest"
    template_name = "agreements/change_request_detail.html"
    context_object_name = "change_request"

    def get_queryset(self):
        return selectors.change_requests_for(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.object
        user = self.request.user
        context["may_decide"] = request.is_open and user.has_perm("agreements.decide_changerequest", request)
        context["may_withdraw"] = request.is_open and _may_withdraw(user, request)
        context["effect"] = selectors.change_effects([request])[0] if request.is_open else None
        context["line_changes"] = request.line_changes.select_related("service", "changed_by")
        return context


def _may_withdraw(user, change_request: ChangeRequest) -> bool:
    """The municipality's contract manager, who may submit requests for the agreement."""
    return has_any_role(user, {Role.CONTRACT_MANAGER}) and user.has_perm(
        "agreements.submit_change_request", change_request.agreement
    )


class QueueView(PortalAccessMixin, ListView):
    """Leiden's one queue of open requests, oldest first, with approve and reject."""

    allowed_roles = {Role.PROVIDER_STAFF}
    template_name = "agreements/queue.html"
    context_object_name = "change_requests"
    paginate_by = 50

    def get_queryset(self):
        return selectors.open_change_requests_for(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = list(context["change_requests"])
        context["rows"] = list(zip(page, selectors.change_effects(page), strict=True))
        context["now"] = timezone.now()
        return context


def _named(change_request: ChangeRequest, message: str) -> str:
    """A message about one request names it: "Wijzigingsverzoek 12 (ICT-01, Gemeente Leiderdorp): ..."."""
    label = request_label(change_request)
    if message.startswith(label):
        return message
    return f"{label}: {message[:1].lower()}{message[1:]}"


class DecideView(ScopedObjectMixin, SingleObjectMixin, View):
    """POST only: approve or reject with a reason; the service changes the lines in one transaction."""

    allowed_roles = {Role.PROVIDER_STAFF}
    object_permission = "agreements.decide_changerequest"
    http_method_names = ["post"]

    def get_queryset(self):
        return selectors.change_requests_for(self.request.user)

    def post(self, request, pk):
        change_request = self.get_object()
        form = DecisionForm(request.POST)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("agreements:change-request-detail", args=[pk])
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, _named(change_request, error))
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                decided = approve_change_request(
                    request=change_request,
                    by=request.user,
                    reason=data["reason"],
                    effective_from=data.get("effective_from"),
                )
            else:
                decided = reject_change_request(
                    request=change_request, by=request.user, reason=data["reason"]
                )
        except EffectiveDateInvoiced as exc:
            # The requested date has been invoiced since: offer the next open period, to be confirmed.
            return TemplateResponse(
                request,
                "agreements/change_request_move.html",
                {
                    "change_request": change_request,
                    "offered": exc.next_open,
                    "reason": data["reason"],
                    "next_url": back,
                },
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, _named(change_request, message))
            return HttpResponseRedirect(back)
        messages.success(
            request,
            _("Wijzigingsverzoek %(pk)s is %(status)s.")
            % {"pk": decided.pk, "status": decided.get_status_display().lower()},
        )
        return HttpResponseRedirect(back)


class WithdrawView(ScopedObjectMixin, SingleObjectMixin, View):
    """POST only: the municipality's contract manager takes back an open request."""

    allowed_roles = {Role.CONTRACT_MANAGER}
    object_permission = "agreements.view_changerequest"
    http_method_names = ["post"]

    def get_queryset(self):
        return selectors.change_requests_for(self.request.user)

    def post(self, request, pk):
        change_request = self.get_object()
        if not _may_withdraw(request.user, change_request):
            raise Http404
        form = WithdrawForm(request.POST)
        form.is_valid()
        try:
            withdraw_change_request(
                request=change_request, by=request.user, reason=form.cleaned_data.get("reason", "")
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, _named(change_request, message))
        else:
            messages.success(
                request, _("Wijzigingsverzoek %(pk)s is ingetrokken.") % {"pk": change_request.pk}
            )
        return HttpResponseRedirect(reverse("agreements:change-request-detail", args=[pk]))
