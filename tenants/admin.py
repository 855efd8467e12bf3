from __future__ import annotations

from django.contrib import admin

from tenants.models import Application, Division, Domain, Jurisdiction, Membership, SpareSchema


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "slug", "status", "is_pilot")
    list_filter = ("level", "status", "is_pilot")
    search_fields = ("code", "name", "slug")
    readonly_fields = ("code", "schema_name", "path", "slug", "created_at")
    inlines = [DomainInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "jurisdiction", "role", "unit_name")
    list_filter = ("role",)
    search_fields = ("user__username", "jurisdiction__code", "jurisdiction__name")
    raw_id_fields = ("user", "jurisdiction")


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent_code")
    list_filter = ("level", "province_code")
    search_fields = ("code", "name")


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "status", "created_at", "reviewed_by")
    list_filter = ("status", "level")
    search_fields = ("code", "name", "admin_username", "contact_name")
    exclude = ("admin_password_hash", "tracking_token_hash")
    readonly_fields = tuple(
        f.name for f in Application._meta.fields if f.name not in ("id", "admin_password_hash", "tracking_token_hash")
    )

    def has_add_permission(self, request: object) -> bool:
        return False  # applications come from the public form; decisions from the review page


@admin.register(SpareSchema)
class SpareSchemaAdmin(admin.ModelAdmin):
    list_display = ("name", "fingerprint", "created_at")
    readonly_fields = ("name", "fingerprint", "created_at")
