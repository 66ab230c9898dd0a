from django.contrib import admin

from fangpin.policy.models import PolicyParameter


@admin.register(PolicyParameter)
class PolicyParameterAdmin(admin.ModelAdmin):
    """Read-only here: parameters are added through the 政策参数 page (dated, audited versions)."""

    list_display = ("key", "area", "value", "effective_from", "effective_to", "source_document")
    list_filter = ("key",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
