from django.urls import path

from search import views

app_name = "registry_search"
urlpatterns = [
    path("", views.search_view, name="index"),
    path("goi-y/", views.autocomplete_view, name="autocomplete"),
]
