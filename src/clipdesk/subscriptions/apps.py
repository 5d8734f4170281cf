from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "clipdesk.subscriptions"
    label = "subscriptions"
    verbose_name = "Subscriptions"

    def ready(self) -> None:
        from clipdesk.archive import signals

        from . import publication, tasks
        from .signals import message_queued

        signals.clip_published.connect(publication.on_clip_published, dispatch_uid="subscriptions-published")
        signals.clip_withdrawn.connect(publication.on_clip_withdrawn, dispatch_uid="subscriptions-withdrawn")
        message_queued.connect(tasks.send_soon, dispatch_uid="subscriptions-send-soon")
