"""What the live transcription tells the rest of the app.

`lines_stored` is sent after the transaction that stored a window's lines has committed, with
`source_id` (the channel source) and `line_ids` (the new lines' ids, in air order). Watchlists
match on it; a window redone after a crash stores nothing twice, so nothing is sent twice.
"""

from django.dispatch import Signal

lines_stored = Signal()
