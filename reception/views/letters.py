"""Letters on the web: the counterpart inbox, registration with scans, a letter's page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.http import open_stored
from reception import selectors
from reception.forms import LetterForm, MultipleFileField, ReasonForm
from reception.models import LetterStatus
from reception.scopes import letters_in_scope
from reception.services.letters import (
    LETTER_ROLES,
    letter_accept,
    letter_attachment_add,
    letter_register,
    letter_reject,
)
from reception.services.tasks import TASK_CREATE_ROLES
from reception.views.base import ReceptionPage, add_error, list_filters, paginate, perform
from tenants.models import ALL_ROLES


class LetterInboxView(ReceptionPage):
    """Letters newest first; visitors' letters wait here for registration (the counterpart inbox)."""

    template_name = "reception/letters.html"
    roles = ALL_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filters = list_filters(self.request, LetterStatus.values)
        context.update(
            filters=filters,
            statuses=LetterStatus.choices,
            page=paginate(
                self.request,
                letters_in_scope(selectors.letter_list(**filters), self.scope),
            ),
            can_register=self.can(LETTER_ROLES),
            can_open_task=self.can(TASK_CREATE_ROLES),
            pending=selectors.letter_list(status=LetterStatus.SUBMITTED_BY_VISITOR).count(),
        )
        return context


class LetterAttachmentsForm(LetterForm):
    scans = MultipleFileField(label=_("公函扫描件（PDF、JPEG 或 PNG，每个不超过 5 MB）"), required=False)


class LetterCreateView(ReceptionPage):
    template_name = "reception/letter_form.html"
    roles = LETTER_ROLES

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=LetterAttachmentsForm()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = LetterAttachmentsForm(request.POST, request.FILES)
        if form.is_valid():
            data = dict(form.cleaned_data)
            files = data.pop("scans")
            try:
                with transaction.atomic():
                    letter = letter_register(actor=self.actor, jurisdiction=self.jurisdiction, **data)
                    for upload in files:
                        letter_attachment_add(
                            actor=self.actor,
                            jurisdiction=self.jurisdiction,
                            letter_id=letter.pk,
                            upload=upload,
                        )
            except (DomainError, ValidationError) as exc:
                add_error(form, exc)
            else:
                return HttpResponseRedirect(f"/reception/letters/{letter.pk}/", status=303)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class LetterDetailView(ReceptionPage):
    template_name = "reception/letter_detail.html"
    roles_by_method = {"GET": ALL_ROLES, "POST": LETTER_ROLES}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        letter = selectors.letter_detail(self.kwargs["letter_id"])
        context.update(
            letter=letter,
            can_register=self.can(LETTER_ROLES) and letter.status == LetterStatus.SUBMITTED_BY_VISITOR,
            can_open_task=self.can(TASK_CREATE_ROLES) and letter.status == LetterStatus.REGISTERED,
            reject_form=ReasonForm(),
        )
        return context

    def post(self, request: HttpRequest, letter_id: int) -> HttpResponse:
        back = f"/reception/letters/{letter_id}/"
        if request.POST.get("action") == "reject":
            form = ReasonForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            return perform(
                request,
                lambda: letter_reject(
                    actor=self.actor, jurisdiction=self.jurisdiction, letter_id=letter_id, reason=reason
                ),
                success=_("已不予登记。"),
                back=back,
            )
        return perform(
            request,
            lambda: letter_accept(actor=self.actor, jurisdiction=self.jurisdiction, letter_id=letter_id),
            success=_("公函已登记，可据此创建接待任务。"),
            back=back,
        )


class LetterAttachmentView(ReceptionPage):
    roles = ALL_ROLES

    def get(self, request: HttpRequest, letter_id: int, attachment_id: int) -> FileResponse:  # type: ignore[override]
        attachment = selectors.letter_attachment(letter_id=letter_id, attachment_id=attachment_id)
        return FileResponse(
            open_stored(attachment.file), content_type=attachment.content_type, filename=attachment.original_name
        )
