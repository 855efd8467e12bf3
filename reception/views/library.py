"""The resource library (the admin maintains it, every member searches it), the guest database and
a task's suggestions from similar past tasks."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from core.http import open_stored
from reception import selectors
from reception.forms import FilterForm, VersionForm
from reception.forms_arrangements import ResourceForm
from reception.models import ResourceKind
from reception.selectors import library as selectors_library
from reception.selectors import meetings as selectors_meetings
from reception.services import resources
from reception.views.base import ReceptionPage, paginate, perform
from reception.views.plans import submit_form
from tenants.models import ALL_ROLES


class ResourceFormMixin(ReceptionPage):
    def resource_form(self, data: Any = None, files: Any = None, instance: Any = None) -> ResourceForm:
        parents = selectors_library.resource_list().filter(
            kind__in=[ResourceKind.HOTEL, ResourceKind.RESTAURANT, ResourceKind.MEETING_ROOM, ResourceKind.SITE]
        )
        if instance is not None:
            parents = parents.exclude(pk=instance.pk)
        initial = {"version": instance.version} if instance is not None else None
        return ResourceForm(
            data,
            files,
            instance=instance,
            initial=initial,
            parents=parents,
            providers=selectors.providers_serving(jurisdiction=self.jurisdiction),
        )


class ResourceListView(ResourceFormMixin):
    """Search the library (kind, text); the admin adds entries (a floor plan with its image)."""

    template_name = "reception/resources.html"
    roles_by_method = {"GET": ALL_ROLES, "POST": resources.RESOURCE_ROLES}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filters = FilterForm(self.request.GET)
        q = filters.cleaned_data["q"].strip() if filters.is_valid() else ""
        kind = self.request.GET.get("kind", "")
        kind = kind if kind in ResourceKind.values else ""
        context.update(
            kinds=ResourceKind.choices,
            filters={"q": q, "kind": kind},
            page=paginate(self.request, selectors_library.resource_list(kind=kind or None, q=q or None)),
            can_edit=self.can(resources.RESOURCE_ROLES),
        )
        if context["can_edit"]:
            context.setdefault("form", self.resource_form())
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.resource_form(request.POST, request.FILES)

        def create(f: Any) -> None:
            data, _version = f.changes()
            resources.resource_create(
                actor=self.actor, jurisdiction=self.jurisdiction, image=f.cleaned_data.get("image"), **data
            )

        return submit_form(self, form, create, "/reception/resources/", context_key="form")


class ResourceDetailView(ResourceFormMixin):
    """One entry with what hangs under it; the admin changes or removes it."""

    template_name = "reception/resource_detail.html"
    roles_by_method = {"GET": ALL_ROLES, "POST": resources.RESOURCE_ROLES}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        resource = selectors_library.resource_detail(self.kwargs["resource_id"])
        context.update(resource=resource, can_edit=self.can(resources.RESOURCE_ROLES))
        if context["can_edit"]:
            context.setdefault("form", self.resource_form(instance=resource))
            context["delete_form"] = VersionForm(initial={"version": resource.version})
        return context

    def post(self, request: HttpRequest, resource_id: int) -> HttpResponse:
        back = f"/reception/resources/{resource_id}/"
        if request.POST.get("form") == "delete":
            version = VersionForm(request.POST)
            if not version.is_valid():
                raise Http404
            return perform(
                request,
                lambda: resources.resource_delete(
                    actor=self.actor,
                    jurisdiction=self.jurisdiction,
                    resource_id=resource_id,
                    version=version.cleaned_data["version"],
                ),
                success=_("已删除。"),
                back="/reception/resources/",
            )
        form = self.resource_form(request.POST, request.FILES, instance=selectors_library.resource_detail(resource_id))

        def update(f: Any) -> None:
            changes, version = f.changes()
            resources.resource_update(
                actor=self.actor,
                jurisdiction=self.jurisdiction,
                resource_id=resource_id,
                changes=changes,
                version=version,
                image=f.cleaned_data.get("image"),
            )

        return submit_form(self, form, update, back, context_key="form")


class ResourceImageView(ReceptionPage):
    roles = ALL_ROLES

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        resource_id = kwargs["resource_id"]
        resource = selectors_library.resource_detail(resource_id)
        if not resource.image:
            raise Http404
        return FileResponse(open_stored(resource.image), content_type=resource.image_type)  # type: ignore[return-value]


class GuestDirectoryView(ReceptionPage):
    """The guest database (接待对象信息库): everyone met in past tasks, searchable."""

    template_name = "reception/guests.html"
    roles = ALL_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filters = FilterForm(self.request.GET)
        q = filters.cleaned_data["q"].strip() if filters.is_valid() else ""
        context.update(
            q=q,
            filters={"q": q},
            page=paginate(self.request, selectors_library.guest_directory(q=q or None, scope=self.scope)),
        )
        return context


class SuggestionsView(ReceptionPage):
    """What similar past tasks used: hotels, menus and venues with their costs."""

    template_name = "reception/suggestions.html"
    roles = ALL_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        task = selectors_meetings.task_row(self.kwargs["task_id"])
        context.update(task=task, section="suggestions", found=selectors_library.task_suggestions(task, self.scope))
        return context
