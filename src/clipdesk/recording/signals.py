"""What the recording tells the rest of the app.

`segment_stored` is sent after the transaction that stored a segment has committed, with
`source_id` and `segment_id`: the live transcription (a higher app) wakes on it.
"""

from django.dispatch import Signal

segment_stored = Signal()
