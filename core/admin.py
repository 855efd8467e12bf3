from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from core.forms import AdminLoginForm
from core.models import AuditEntry, Notification, User
from core.passwords import password_reset_send

# /admin/login/ counts failures with every other sign-in path (docs/security.md).
admin.site.login_form = AdminLoginForm


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "is_active", "is_staff", "last_login")
    fieldsets = (*BaseUserAdmin.fieldsets, ("平台", {"fields": ("display_name", "phone")}))  # type: ignore[misc]

    actions = ["send_password_reset"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # users are deactivated, never deleted

    @admin.action(description=_("发送重置密码邮件"))
    def send_password_reset(self, request: HttpRequest, queryset: Any) -> None:
        """Platform staff e-mail each selected user a reset link (through the outbox; audited)."""
        sent = 0
        for user in queryset:
            try:
                password_reset_send(actor=request.user, user=user)  # type: ignore[arg-type]
            except InvalidInput as exc:
                self.message_user(request, f"{user.username}: {exc.message}", level=messages.WARNING)
            else:
                sent += 1
        self.message_user(request, _("已发送 %(n)s 封重置密码邮件。") % {"n": sent})


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
