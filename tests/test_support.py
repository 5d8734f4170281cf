"""The shared helpers hold what the tests rely on: the session's SMTP server starts every test empty
and accepting, whatever an earlier test received or told it to refuse."""

from django.core.mail import send_mail

from support import Received


def test_each_test_starts_with_an_empty_mailbox_that_accepts_everyone(smtp_server, request):
    earlier, _ = smtp_server  # as a test that ran before this one left it
    earlier.received.append(
        Received.parse("old@example.org", ["old@example.org"], b"Subject: Old\r\n\r\nOld\r\n")
    )
    earlier.rcpt_replies["ana@example.org"] = "550 5.1.1 No such user here"
    earlier.data_replies.append("554 5.7.1 Rejected")

    smtp = request.getfixturevalue("smtp")
    send_mail("Hello", "A line.", "desk@example.org", ["ana@example.org"])

    [received] = smtp.received
    assert (received.mail_from, received.rcpt_tos) == ("desk@example.org", ["ana@example.org"])
    assert received["Subject"] == "Hello" and received.text.strip() == "A line."
    assert b"\r\n\r\nA line." in received.raw  # the bytes as sent
    assert request.getfixturevalue("mailbox") is smtp.received
