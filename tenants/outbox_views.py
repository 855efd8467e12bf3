"""The outbox page (发件箱) of a jurisdiction's admins: messages by status, retry a failed one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from core.errors import Conflict, NotFound
from core.models import Notification
from core.notifications.selectors import outbox_counts, outbox_messages
from tenants.outbox import OUTBOX_ROLES, outbox_retry
from tenants.permissions import request_access
from tenants.web import JurisdictionPageMixin


class OutboxView(JurisdictionPageMixin, TemplateView):
    template_name = "tenants/outbox.html"
    roles = OUTBOX_ROLES

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Admins of this jurisdiction only: ancestors' read-only oversight does not reach personal data.
        access = request_access(request)
        if access is not None and request.user.is_authenticated and not access.has_any(OUTBOX_ROLES):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        status = status if status in Notification.Status.values else ""
        rows = outbox_messages(jurisdiction_code=self.jurisdiction.code, status=status)
        context.update(
            status=status,
            statuses=Notification.Status.choices,
            counts=outbox_counts(jurisdiction_code=self.jurisdiction.code),
            page=Paginator(rows, 30).get_page(self.request.GET.get("page")),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            message_id = int(request.POST.get("message", ""))
        except ValueError:
            raise Http404 from None
        try:
            outbox_retry(actor=request.user, jurisdiction=self.jurisdiction, notification_id=message_id)  # type: ignore[arg-type]
        except NotFound:
            raise Http404 from None
        except Conflict as exc:
            messages.error(request, str(exc.message), extra_tags=exc.code)
        else:
            messages.success(request, _("已重新排队发送。"))
        return HttpResponseRedirect(reverse("outbox") + "?status=failed", status=303)
