from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import LoginView
from django.shortcuts import render
from django.views.generic import TemplateView

from tenants.forms import PortalAuthenticationForm
from tenants.selectors import is_provider_user, memberships_of, visible_organisations

from .portal import dashboard_panels


class PortalLoginView(LoginView):
    template_name = "registration/login.html"
    authentication_form = PortalAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "throttled", False):
            response.status_code = 429
        return response


class DashboardView(LoginRequiredMixin, TemplateView):
    """The start page: the user's organisation and roles, then a panel per app."""

    template_name = "dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["memberships"] = memberships_of(user)
        context["is_provider"] = is_provider_user(user)
        if context["is_provider"]:
            context["organisations"] = visible_organisations(user).order_by("kind", "name")
        context["panels"] = dashboard_panels(self.request)
        return context


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
