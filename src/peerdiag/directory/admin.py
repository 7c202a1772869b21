from django.contrib import admin

from .models import Organisation, Person


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "job_title", "is_dcs_or_equivalent", "organisation", "email"]
    list_filter = ["is_dcs_or_equivalent"]
    list_select_related = ["organisation"]
    search_fields = ["full_name", "email"]
    raw_id_fields = ["user", "organisation"]
