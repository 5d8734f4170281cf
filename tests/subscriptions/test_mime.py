"""The quick MIME writer against Django's own: the same message, parsed, in every case it takes."""

from email import message_from_bytes, policy

import pytest
from django.core.mail import BadHeaderError, EmailMultiAlternatives

from clipdesk.subscriptions.emails import OutboxEmail
from clipdesk.subscriptions.mime import SerializedMessage

HEADERS = {
    "Message-ID": "<digest.1.9.abc@clips.example.org>",
    "Date": "Wed, 25 Nov 2026 16:44:59 -0000",
    "List-Unsubscribe": "<https://clips.example.org/subscriptions/" + "x" * 120 + "/unsubscribe/>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


def emails(subject: str, text: str, html: str):
    """The same message as an OutboxEmail and as a plain Django email."""
    made = []
    for cls in (OutboxEmail, EmailMultiAlternatives):
        email = cls(subject, text, "digests@clips.example.org", ["reader@example.org"], headers=dict(HEADERS))
        email.attach_alternative(html, "text/html")
        made.append(email)
    return made


def parsed(email):
    return message_from_bytes(email.message().as_bytes(linesep="\r\n"), policy=policy.default)


@pytest.mark.parametrize(
    ("subject", "text", "html"),
    [
        ("clipdesk daily digest: 2 new clips", "Plain text.\nSecond line.\n", "<p>HTML</p>\n"),
        (
            "مختارات يومية: 2 new clips",
            "كتب [حزب الله] ...\nUnicode: é ü ß\n",
            "<p dir=auto>نص عربي</p>\n<p>é</p>",
        ),
        ("Trailing space ", "no newline at the end", "<p>x</p>"),
    ],
)
def test_the_quick_writer_writes_what_django_writes(subject, text, html):
    quick, django = emails(subject, text, html)
    assert isinstance(quick.message(), SerializedMessage)
    ours, theirs = parsed(quick), parsed(django)
    for name in ("Subject", "From", "To", "Message-ID", "Date", "List-Unsubscribe", "List-Unsubscribe-Post"):
        assert str(ours[name]).strip() == str(theirs[name]).strip(), name
    assert ours.get_content_type() == theirs.get_content_type() == "multipart/alternative"
    for kind in ("plain", "html"):
        a, b = ours.get_body(preferencelist=(kind,)), theirs.get_body(preferencelist=(kind,))
        assert a.get_content() == b.get_content()
        assert a.get_content_charset() == b.get_content_charset() == "utf-8"
        assert a["Content-Transfer-Encoding"] == b["Content-Transfer-Encoding"]
    raw = quick.message().as_bytes(linesep="\r\n")
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF throughout
    assert raw == quick.message().as_bytes(linesep="\r\n")  # the same bytes every time


def test_what_the_quick_writer_does_not_handle_goes_to_django():
    long_line = "word " * 300  # over 998 bytes: Django switches that part to quoted-printable
    quick, django = emails("Subject", long_line, "<p>x</p>")
    message = quick.message()
    assert not isinstance(message, SerializedMessage)
    assert (
        parsed(quick).get_body(preferencelist=("plain",)).get_content()
        == parsed(django).get_body(preferencelist=("plain",)).get_content()
    )
    assert message.get_boundary() == quick.boundary()  # still the same bytes when sent again

    named, _ = emails("Subject", "text", "<p>x</p>")
    named.to = ["Zoë <reader@example.org>"]
    assert not isinstance(named.message(), SerializedMessage)


def test_newlines_in_headers_are_refused_as_django_refuses_them():
    quick, _ = emails("Subject\nBcc: victim@example.org", "text", "<p>x</p>")
    with pytest.raises(BadHeaderError):
        quick.message()


def test_the_console_backend_can_print_it(capsys, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    quick, _ = emails("Subject", "Body text", "<p>x</p>")
    assert quick.send() == 1
    out = capsys.readouterr().out
    assert "Subject: Subject" in out and "Body text" in out and "\r" not in out
