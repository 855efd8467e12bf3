from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from core.forms import AdminLoginForm
from core.models import AuditEntry, Notification, User

# /admin/login/ counts failures with every other sign-in path (docs/security.md).
admin.site.login_form = AdminLoginForm


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "is_active", "is_staff", "last_login")
    fieldsets = (*BaseUserAdmin.fieldsets, ("平台", {"fields": ("display_name", "phone")}))  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # users are deactivated, never deleted


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("chain", "sequence", "at", "actor_username", "action", "object_type", "object_id")
    list_filter = ("chain", "action")
    search_fields = ("action", "object_id", "actor_username", "comment")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "address", "event", "status", "attempts", "sent_at")
    list_filter = ("channel", "status", "event")
    search_fields = ("address", "event", "subject")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
