from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "clipdesk.search"
    label = "search"
