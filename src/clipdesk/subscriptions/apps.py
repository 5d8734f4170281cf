from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "clipdesk.subscriptions"
    label = "subscriptions"
