"""The back office for Leiden's staff. Writes go through the services, so the rules and history hold."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.admin_history import ReadOnlyHistoryAdmin
from core.history import record
from core.uploads import check_pdf

from .models import Agreement, AgreementLine, AgreementLineChange, ChangeRequest, NoticeReminder
from .services.agreements import TERM_FIELDS, change_agreement_terms, create_agreement, submit_for_signature
from .services.change_requests import approve_change_request, reject_change_request


class AgreementLineInline(admin.TabularInline):
    """Lines change through change requests or the services, never by hand here (history, basic package)."""

    model = AgreementLine
    extra = 0
    fields = ["year", "service", "volume"]
    readonly_fields = ["year", "service", "volume"]
    ordering = ["year", "service__code"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class AgreementAdminForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets and read-only fields decide)

    def clean_signed_document(self):
        document = self.cleaned_data.get("signed_document")
        if document and hasattr(document, "content_type"):  # a new upload, not the stored file
            check_pdf(document)
        return document


class AgreementTermsForm(forms.Form):
    """The terms of a signed agreement, changed with a reason (the history keeps it)."""

    title = forms.CharField(label=_("titel"), max_length=200, required=False)
    notice_period_months = forms.IntegerField(label=_("opzegtermijn (maanden)"), min_value=0, max_value=36)
    first_term_months = forms.IntegerField(label=_("eerste looptijd (maanden)"), min_value=1, max_value=120)
    renewal_months = forms.IntegerField(label=_("verlenging (maanden)"), min_value=1, max_value=60)
    signed_document = forms.FileField(label=_("nieuwe ondertekende overeenkomst (pdf)"), required=False)
    reason = forms.CharField(label=_("reden van de wijziging"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean_signed_document(self):
        document = self.cleaned_data.get("signed_document")
        if document:
            check_pdf(document)
        return document


#: Once signed, these change only through the terms form (with a reason), never in the change form.
SIGNED_READONLY_FIELDS = [*TERM_FIELDS, "signed_document", "number"]


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyHistoryAdmin):
    list_display = ["number", "customer", "provider", "status", "start_date", "end_date", "billed_until"]
    list_filter = ["status", "customer"]
    list_select_related = ["customer", "provider"]
    search_fields = ["number", "customer__name", "title"]
    inlines = [AgreementLineInline]
    readonly_fields = [
        "status",
        "customer_signed_by",
        "customer_signed_at",
        "provider_signed_by",
        "provider_signed_at",
        "billed_until",
        "created_at",
    ]
    actions = ["offer_for_signature"]

    form = AgreementAdminForm
    change_form_template = "agreements/admin/agreement_change_form.html"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        fields = [*self.readonly_fields, "customer", "provider", "start_date", "end_date", "predecessor"]
        if obj.status in (Agreement.Status.ACTIVE, Agreement.Status.ENDED):
            fields += SIGNED_READONLY_FIELDS
        return fields

    def get_urls(self):
        return [
            path(
                "<int:pk>/voorwaarden/",
                self.admin_site.admin_view(self.terms_view),
                name="agreements_agreement_terms",
            ),
            *super().get_urls(),
        ]

    def terms_view(self, request, pk):
        """Change a signed agreement's terms or document through the service, with a reason."""
        agreement = self.get_object(request, str(pk))
        if agreement is None or not self.has_view_permission(request, agreement):
            raise Http404
        if not request.user.has_perm("agreements.change_agreement"):
            raise PermissionDenied
        initial = {field: getattr(agreement, field) for field in TERM_FIELDS}
        form = AgreementTermsForm(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                change_agreement_terms(
                    agreement=agreement,
                    by=request.user,
                    reason=data["reason"],
                    document=data.get("signed_document"),
                    **{field: data[field] for field in TERM_FIELDS},
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, _("De voorwaarden zijn gewijzigd."), messages.SUCCESS)
                return redirect("admin:agreements_agreement_change", agreement.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": agreement,
            "form": form,
            "title": _("Voorwaarden wijzigen: %(number)s") % {"number": agreement.number},
        }
        return TemplateResponse(request, "agreements/admin/agreement_terms.html", context)

    def save_model(self, request, obj, form, change):
        if change:
            record(obj, by=request.user)
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = create_agreement(
            customer=data["customer"],
            provider=data["provider"],
            start_date=data["start_date"],
            end_date=data.get("end_date"),
            number=data.get("number") or None,
            title=data.get("title", ""),
            notice_period_months=data["notice_period_months"],
            first_term_months=data["first_term_months"],
            renewal_months=data["renewal_months"],
            predecessor=data.get("predecessor"),
            by=request.user,
        )
        obj.pk = created.pk
        obj._state.adding = False

    @admin.action(description=_("Ter ondertekening aanbieden"))
    def offer_for_signature(self, request, queryset):
        for agreement in queryset:
            try:
                submit_for_signature(agreement=agreement, by=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{agreement.number}: {' '.join(exc.messages)}", messages.ERROR)


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "pk",
        "agreement",
        "kind",
        "service",
        "volume",
        "effective_from",
        "status",
        "submitted_at",
    ]
    list_filter = ["status", "kind", "agreement__customer"]
    list_select_related = ["agreement", "agreement__customer", "service"]
    search_fields = ["agreement__number", "agreement__customer__name", "service__code"]
    actions = ["approve", "reject"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def _decide(self, request, queryset, decide, reason):
        for change_request in queryset:
            try:
                decide(request=change_request, by=request.user, reason=str(reason))
            except ValidationError as exc:
                self.message_user(request, f"{change_request.pk}: {' '.join(exc.messages)}", messages.ERROR)

    @admin.action(description=_("Goedkeuren"), permissions=["view"])
    def approve(self, request, queryset):
        self._decide(request, queryset, approve_change_request, _("Goedgekeurd in het beheer."))

    @admin.action(description=_("Afwijzen"), permissions=["view"])
    def reject(self, request, queryset):
        self._decide(request, queryset, reject_change_request, _("Afgewezen in het beheer."))


@admin.register(AgreementLineChange)
class AgreementLineChangeAdmin(admin.ModelAdmin):
    list_display = [
        "changed_at",
        "agreement",
        "year",
        "service",
        "old_volume",
        "new_volume",
        "effective_from",
        "change_request",
    ]
    list_filter = ["year", "agreement__customer"]
    list_select_related = ["agreement", "service", "change_request"]
    search_fields = ["agreement__number", "service__code", "reason"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NoticeReminder)
class NoticeReminderAdmin(admin.ModelAdmin):
    list_display = ["agreement", "deadline", "sent_at", "recipients"]
    list_select_related = ["agreement"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
