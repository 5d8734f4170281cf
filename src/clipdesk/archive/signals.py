"""Signals sent after a clip's change has committed; receivers get ids, never instances."""

from django.dispatch import Signal

clip_published = Signal()  # clip_id
clip_withdrawn = Signal()  # clip_id
clip_changed = Signal()  # clip_id: its transcript or editorial fields changed after publication
