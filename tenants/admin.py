from __future__ import annotations

from django.contrib import admin

from tenants.models import Division, Domain, Jurisdiction, Membership


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
