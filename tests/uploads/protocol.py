"""A tus client in a few lines, for Django's test client: the requests tus-js-client makes."""

import base64
from pathlib import Path

TUS = {"Tus-Resumable": "1.0.0"}
PART = "application/offset+octet-stream"


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def create(client, length: int, **values: str):
    headers = {**TUS, "Upload-Length": str(length), "Upload-Metadata": metadata(**values)}
    return client.post("/staff/uploads/", headers=headers)


def patch(client, url: str, offset: int, data: bytes, **headers: str):
    headers = {**TUS, "Upload-Offset": str(offset), **headers}
    return client.generic("PATCH", url, data=data, content_type=PART, headers=headers)


def send(client, path: Path, part_size: int) -> str:
    """Uploads `path` in parts as tus-js-client does; returns the upload's URL."""
    data = path.read_bytes()
    created = create(client, len(data), filename=path.name, filetype="audio/wav")
    assert created.status_code == 201, created.content
    url = created["Location"]
    for offset in range(0, len(data), part_size):
        answer = patch(client, url, offset, data[offset : offset + part_size])
        assert answer.status_code == 204, answer.content
        assert int(answer["Upload-Offset"]) == min(len(data), offset + part_size)
    return url
