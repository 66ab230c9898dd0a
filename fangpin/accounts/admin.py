"""The Django admin is for the system administrator: users and their role and area only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from fangpin.accounts.models import User
from fangpin.accounts.services import user_admin_save
from fangpin.core.actor import Actor


@admin.register(User)
class FangpinUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "area", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("防返贫平台", {"fields": ("role", "area", "display_name", "phone", "department")}),
    )
    autocomplete_fields = ("area",)

    def save_model(self, request, obj, form, change):
        # Through the accounts service, so that a change of role or area is audited.
        user_admin_save(actor=Actor.from_request(request), user=obj, created=not change)
