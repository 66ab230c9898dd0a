from django.urls import path

from fangpin.registry.views import household, imports, migrant_work, person, restructure, search

app_name = "registry"
urlpatterns = [
    path("", search.search, name="search"),
    path("export/", search.export, name="export"),
    path("households/<int:pk>/", household.detail, name="household"),
    path("households/<int:pk>/edit/", household.edit, name="household-edit"),
    path("households/<int:pk>/snapshots/new/", household.snapshot_new, name="snapshot-new"),
    path("households/<int:pk>/members/new/", person.add, name="member-add"),
    path("households/<int:pk>/migrant-work/new/", migrant_work.record, name="migrant-work-new"),
    path("migrant-work/<int:pk>/end/", migrant_work.end, name="migrant-work-end"),
    path("households/<int:pk>/change-head/", restructure.change_head, name="change-head"),
    path("households/<int:pk>/split/", restructure.split, name="split"),
    path("households/<int:pk>/merge/", restructure.merge, name="merge"),
    path("households/<int:pk>/transfer/", restructure.transfer, name="transfer"),
    path("persons/<int:pk>/", person.household_of, name="person"),
    path("persons/<int:pk>/edit/", person.edit, name="person-edit"),
    path("persons/<int:pk>/remove/", person.remove, name="person-remove"),
    path("persons/<int:pk>/reveal/", person.reveal, name="person-reveal"),
    path("imports/", imports.batch_list, name="import-list"),
    path("imports/<int:pk>/", imports.batch_detail, name="import-detail"),
    path("imports/<int:pk>/report.xlsx", imports.batch_report, name="import-report"),
    path("imports/<int:pk>/accept/", imports.batch_accept, name="import-accept"),
    path("imports/<int:pk>/discard/", imports.batch_discard, name="import-discard"),
    path("imports/<int:pk>/revalidate/", imports.batch_revalidate, name="import-revalidate"),
]
