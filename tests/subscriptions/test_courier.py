"""The courier thread: while it works, a thread whose server has answered gets the interpreter's
lock at once instead of after the default 5 ms; afterwards the interval is what it was."""

import sys
import threading

import pytest

from clipdesk.subscriptions.courier import SWITCH_INTERVAL, Courier


def test_a_courier_shortens_the_switch_interval_while_it_works_and_puts_it_back():
    before = sys.getswitchinterval()
    assert before > SWITCH_INTERVAL
    seen = []
    with Courier(lambda item: seen.append((item, sys.getswitchinterval()))) as courier:
        courier.start("first")
        assert courier.outcome() is None
        with Courier(lambda item: None) as other:  # a second one at once: the last out restores
            other.start("elsewhere")
            assert other.outcome() is None
        courier.start("second")
        assert courier.outcome() is None
    assert [item for item, _ in seen] == ["first", "second"]
    assert [interval for _, interval in seen] == [pytest.approx(SWITCH_INTERVAL)] * 2
    assert sys.getswitchinterval() == pytest.approx(before)


def test_a_failed_send_is_handed_to_the_caller_and_the_interval_still_restored():
    before = sys.getswitchinterval()

    def refuse(item):
        raise OSError("connection reset")

    with Courier(refuse) as courier:
        courier.start("message")
        outcome = courier.outcome()
    assert isinstance(outcome, OSError)
    assert sys.getswitchinterval() == pytest.approx(before)


def test_a_courier_says_when_the_server_has_answered():
    answer = threading.Event()
    with Courier(lambda item: answer.wait(10)) as courier:
        courier.start("message")
        assert not courier.answered()
        answer.set()
        assert courier.outcome() is None
        courier.start("next")
        assert courier.outcome() is None
        assert not courier.answered()  # the answer is taken
