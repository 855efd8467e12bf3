from __future__ import annotations

from django.contrib import admin

from provider_portal.models import Provider, ProviderServiceArea, ProviderStaff


class ServiceAreaInline(admin.TabularInline):
    model = ProviderServiceArea
    raw_id_fields = ("jurisdiction",)
    extra = 0


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "contact_name", "contact_phone", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    inlines = [ServiceAreaInline]


@admin.register(ProviderStaff)
class ProviderStaffAdmin(admin.ModelAdmin):
    list_display = ("user", "provider")
    raw_id_fields = ("user",)
