"""Writing a plain-text-plus-HTML email as bytes, quickly, for Django's email backends.

Django builds a message through the standard library's `email` package, which handles every case
and costs more than a digest run can afford per message (folding each header, walking each line).
A digest is the simple case: ASCII addresses and headers (or an encoded subject), two text parts,
no attachments. `serialize()` writes that case directly, byte for byte the structure Django would
write; anything else returns None and the caller lets Django do it.

Backends call `message()` and then `as_bytes()` (SMTP, console, file) or nothing more (locmem),
which is all `SerializedMessage` offers.
"""

from email.header import Header

from django.core.mail import BadHeaderError

MAX_LINE = 998  # RFC 5322: octets per line, without CRLF
CRLF = "\r\n"


class SerializedMessage:
    def __init__(self, data: bytes):
        self.data = data  # with CRLF line ends

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n", **kwargs) -> bytes:
        return self.data if linesep == "\r\n" else self.data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n", **kwargs) -> str:
        return self.as_bytes(linesep=linesep).decode("utf-8")

    def get_charset(self):
        return None

    def is_multipart(self) -> bool:
        return True


def _header(name: str, value: str) -> bytes | None:
    if "\n" in value or "\r" in value:
        raise BadHeaderError(f"Header values can't contain newlines (got {value!r} for header {name!r})")
    if value.isascii():
        line = f"{name}: {value}".encode()
        return line if len(line) <= MAX_LINE else None
    if name == "Subject":
        return f"{name}: {Header(value, 'utf-8', header_name=name).encode(linesep=CRLF)}".encode()
    return None


def _part(content_type: str, text: str) -> bytes | None:
    body = text.replace("\r\n", "\n").encode()
    if max(map(len, body.split(b"\n"))) > MAX_LINE:
        return None  # Django switches such a part to quoted-printable
    encoding = "7bit" if body.isascii() else "8bit"
    head = f'Content-Type: {content_type}; charset="utf-8"{CRLF}MIME-Version: 1.0{CRLF}'
    head += f"Content-Transfer-Encoding: {encoding}{CRLF}{CRLF}"
    return head.encode() + body.replace(b"\n", CRLF.encode())


def serialize(
    *, headers: list[tuple[str, str]], text: str, html: str, boundary: str
) -> SerializedMessage | None:
    """multipart/alternative with a text/plain and a text/html part, or None for Django to write."""
    head = [
        f'Content-Type: multipart/alternative;{CRLF} boundary="{boundary}"'.encode(),
        b"MIME-Version: 1.0",
    ]
    for name, value in headers:
        line = _header(name, value)
        if line is None:
            return None
        head.append(line)
    parts = [_part("text/plain", text), _part("text/html", html)]
    if None in parts:
        return None
    marker = f"{CRLF}--{boundary}{CRLF}".encode()
    data = CRLF.encode().join(head) + CRLF.encode() + marker + marker.join(parts)
    return SerializedMessage(data + f"{CRLF}--{boundary}--{CRLF}".encode())
