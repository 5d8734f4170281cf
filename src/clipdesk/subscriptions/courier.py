"""A mail connection worked from a thread of its own, one message at a time.

Most of the time spent sending a message is spent waiting for the server's answer. While the
courier waits, the caller prepares the next message; it hands that one over only after it has
recorded the answer to the previous one, so there is never more than one message in flight.
The thread talks SMTP and nothing else: it never touches the database.

On Django's SMTP backend the caller hands over an `Envelope`, the message already written as
bytes, and the thread does no more than plain smtplib would (the addresses and bytes are made
exactly as the backend makes them, in the caller's thread). Any other backend gets the email
itself, through its `send_messages`.
"""

import queue
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

_STOP = object()

# A thread waiting for the interpreter's lock gets it only when the thread holding it blocks, or
# after the switch interval (5 ms by default). The courier's server answers in a fraction of that,
# and the caller is busy rendering meanwhile: at the default, the courier would sit idle with its
# answer for most of each message, and the two threads would take turns rather than overlap.
# While any courier works the interval is this short; the last one out puts the old one back.
SWITCH_INTERVAL = 0.0001  # seconds
_switches_lock = threading.Lock()
_switches = {"couriers": 0, "before": 0.0}


def _quick_switches(change: int) -> None:
    with _switches_lock:
        if _switches["couriers"] == 0:
            _switches["before"] = sys.getswitchinterval()
            sys.setswitchinterval(SWITCH_INTERVAL)
        _switches["couriers"] += change
        if _switches["couriers"] == 0:
            sys.setswitchinterval(_switches["before"])


@dataclass(frozen=True)
class Envelope:
    """What goes over SMTP for one message: its sender, recipients and bytes."""

    sender: str
    recipients: list[str]
    data: bytes


def sender_for(mailer) -> tuple[Callable[[object], object], Callable[[object], None]]:
    """(prepare, send) for `mailer`, an open connection: `prepare(email)` runs in the caller's thread,
    `send(prepared)` in the courier's."""
    if isinstance(mailer, SMTPBackend) and mailer.connection is not None:
        return _envelope, lambda envelope: mailer.connection.sendmail(
            envelope.sender, envelope.recipients, envelope.data
        )
    return (lambda email: email), lambda email: mailer.send_messages([email])


def _envelope(email) -> Envelope:
    """As Django's SMTP backend writes a message (`EmailBackend._send`)."""
    encoding = email.encoding or settings.DEFAULT_CHARSET
    return Envelope(
        sender=sanitize_address(email.from_email, encoding),
        recipients=[sanitize_address(address, encoding) for address in email.recipients()],
        data=email.message().as_bytes(linesep="\r\n"),
    )


class Courier:
    def __init__(self, send: Callable[[object], None]):
        self.send = send
        self._requests: queue.Queue = queue.Queue(maxsize=1)
        self._outcomes: queue.Queue = queue.Queue(maxsize=1)
        self._thread = threading.Thread(target=self._work, name="clipdesk-courier", daemon=True)

    def __enter__(self) -> "Courier":
        _quick_switches(+1)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._requests.put(_STOP)
        self._thread.join()
        _quick_switches(-1)

    def _work(self) -> None:
        while (item := self._requests.get()) is not _STOP:
            try:
                self.send(item)
            except BaseException as exc:  # handed to the caller, who decides what it means
                self._outcomes.put(exc)
            else:
                self._outcomes.put(None)

    def start(self, prepared) -> None:
        """Begin sending a prepared message. Call `outcome()` before starting the next one."""
        self._requests.put(prepared)

    def answered(self) -> bool:
        """Whether the server has answered the message in flight (`outcome()` would not wait)."""
        return not self._outcomes.empty()

    def outcome(self) -> BaseException | None:
        """Wait for the server's answer: None when it accepted the message, else the exception."""
        return self._outcomes.get()
