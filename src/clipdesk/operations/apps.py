from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "clipdesk.operations"
    label = "operations"
    verbose_name = "Operations"
