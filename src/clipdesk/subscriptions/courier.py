"""A mail connection worked from a thread of its own, one message at a time.

Most of the time spent sending a message is spent waiting for the server's answer. While the
courier waits, the caller prepares the next message; it hands that one over only after it has
recorded the answer to the previous one, so there is never more than one message in flight.
The thread talks SMTP and nothing else: it never touches the database.
"""

import queue
import threading

_STOP = object()


class Courier:
    def __init__(self, connection):
        self.connection = connection
        self._requests: queue.Queue = queue.Queue(maxsize=1)
        self._outcomes: queue.Queue = queue.Queue(maxsize=1)
        self._thread = threading.Thread(target=self._work, name="clipdesk-courier", daemon=True)

    def __enter__(self) -> "Courier":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._requests.put(_STOP)
        self._thread.join()

    def _work(self) -> None:
        while (email := self._requests.get()) is not _STOP:
            try:
                self.connection.send_messages([email])
            except BaseException as exc:  # handed to the caller, who decides what it means
                self._outcomes.put(exc)
            else:
                self._outcomes.put(None)

    def start(self, email) -> None:
        """Begin sending `email`. Call `outcome()` before starting the next one."""
        self._requests.put(email)

    def outcome(self) -> BaseException | None:
        """Wait for the server's answer: None when it accepted the message, else the exception."""
        return self._outcomes.get()
