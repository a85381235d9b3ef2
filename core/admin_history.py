"""The admin's history is for reading only.

django-simple-history's admin can "revert" an object to an old version: a plain form save that skips
the services, so it could reset an agreement's ``billed_until`` or a tariff an invoice used. Every
audited model's admin builds on :class:`ReadOnlyHistoryAdmin` instead: the history and each old version
can be looked at, and nothing can be saved from them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
