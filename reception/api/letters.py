"""Letters: register, list, read; a visitor's letter registered or refused; attachments."""

from __future__ import annotations

from typing import Any

import django_filters
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.files import DOCUMENT_SIGNATURES
from core.http import open_stored
from reception import selectors
from reception.api.base import ReceptionApi, valid
from reception.api.serializers import AttachmentInput, AttachmentOutput, LetterInput, LetterOutput, ReasonInput
from reception.models import LetterStatus
from reception.scopes import letters_in_scope
from reception.services.letters import (
    LETTER_ROLES,
    letter_accept,
    letter_attachment_add,
    letter_register,
    letter_reject,
)
from tenants.models import ALL_ROLES


class LetterFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=LetterStatus.choices)
    q = django_filters.CharFilter(method="search", max_length=100)

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return selectors.letters_matching(queryset, value)


class LettersApi(ReceptionApi, GenericAPIView):
    """Letters newest first (filter `status`, `q`); POST registers a letter (counterpart, drafter, admin)."""

    roles_by_method = {"GET": ALL_ROLES, "POST": LETTER_ROLES}
    filterset_class = LetterFilter
    serializer_class = LetterOutput

    def get_queryset(self) -> Any:
        return letters_in_scope(selectors.letter_list(), self.scope)

    @extend_schema(operation_id="letters_list", responses=LetterOutput(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(LetterOutput(page, many=True).data)

    @extend_schema(operation_id="letters_create", request=LetterInput, responses={201: LetterOutput})
    def post(self, request: Request) -> Response:
        data = valid(LetterInput, request.data)
        letter = letter_register(actor=request.user, jurisdiction=self.jurisdiction, **data)  # type: ignore[arg-type]
        return Response(LetterOutput(selectors.letter_detail(letter.pk)).data, status=status.HTTP_201_CREATED)


class LetterDetailApi(ReceptionApi):
    """One letter with its attachments."""

    roles = ALL_ROLES

    @extend_schema(operation_id="letters_retrieve", responses=LetterOutput)
    def get(self, request: Request, letter_id: int) -> Response:
        return Response(LetterOutput(selectors.letter_detail(letter_id)).data)


class LetterRegisterApi(ReceptionApi):
    """Register a letter a visitor submitted through the intake form."""

    roles = LETTER_ROLES

    @extend_schema(operation_id="letters_register", request=None, responses=LetterOutput)
    def post(self, request: Request, letter_id: int) -> Response:
        letter_accept(actor=request.user, jurisdiction=self.jurisdiction, letter_id=letter_id)  # type: ignore[arg-type]
        return Response(LetterOutput(selectors.letter_detail(letter_id)).data)


class LetterRejectApi(ReceptionApi):
    """Refuse a visitor's letter, with the reason the visitor sees on the tracking page."""

    roles = LETTER_ROLES

    @extend_schema(operation_id="letters_reject", request=ReasonInput, responses=LetterOutput)
    def post(self, request: Request, letter_id: int) -> Response:
        data = valid(ReasonInput, request.data)
        letter_reject(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            letter_id=letter_id,
            reason=data["reason"],
        )
        return Response(LetterOutput(selectors.letter_detail(letter_id)).data)


class LetterAttachmentsApi(ReceptionApi):
    """Upload a scan of the letter (multipart `file`: PDF, JPEG or PNG, at most 5 MB)."""

    roles = LETTER_ROLES
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="letters_attachments_create", request=AttachmentInput, responses={201: AttachmentOutput}
    )
    def post(self, request: Request, letter_id: int) -> Response:
        data = valid(AttachmentInput, request.data)
        attachment = letter_attachment_add(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            letter_id=letter_id,
            upload=data["file"],
        )
        return Response(AttachmentOutput(attachment).data, status=status.HTTP_201_CREATED)


class LetterAttachmentFileApi(ReceptionApi):
    """The attachment's file, for members and overseers (never a public media URL)."""

    roles = ALL_ROLES

    @extend_schema(
        operation_id="letters_attachments_download",
        parameters=[OpenApiParameter("attachment_id", int, OpenApiParameter.PATH)],
        responses={(200, content_type): OpenApiTypes.BINARY for _magic, content_type, _ext in DOCUMENT_SIGNATURES},
    )
    def get(self, request: Request, letter_id: int, attachment_id: int) -> FileResponse:
        attachment = selectors.letter_attachment(letter_id=letter_id, attachment_id=attachment_id)
        return FileResponse(
            open_stored(attachment.file),
            content_type=attachment.content_type,
            as_attachment=True,
            filename=attachment.original_name,
        )
