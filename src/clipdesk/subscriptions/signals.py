"""Signals of the subscriptions app. Actions send them; jobs (tasks.py) receive them, so that actions
never import the jobs that call them."""

from django.dispatch import Signal

message_queued = Signal()  # message_id: an outbox message written for sending now (after commit)
