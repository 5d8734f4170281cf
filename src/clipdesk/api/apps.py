from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "clipdesk.api"
    label = "api"
    verbose_name = "API"
