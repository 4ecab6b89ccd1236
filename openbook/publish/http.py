"""The network settings of every target (timeouts, bounded retries with backoff), and
HTTP for CKAN: requests with retries, streamed multipart uploads."""
from __future__ import annotations

import os
import random
import time
import uuid
from typing import Callable, Optional

import requests

ATTEMPTS = 4  # at most; waits of about 0.5 s, 1 s and 2 s between them
BACKOFF = 0.5
TIMEOUT = (10, 120)  # seconds to connect, seconds to wait for each answer


def http_timeout(default: tuple[float, float] = TIMEOUT) -> tuple[float, float]:
    """(connect, read) seconds; OPENBOOK_HTTP_TIMEOUT (seconds) sets both, for
    slow links (raise it) or tests (lower it)."""
    raw = os.environ.get("OPENBOOK_HTTP_TIMEOUT", "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        from openbook.errors import OpenbookError
        raise OpenbookError(f"OPENBOOK_HTTP_TIMEOUT={raw!r} is not a number of seconds.") from None
    if seconds <= 0:
        from openbook.errors import OpenbookError
        raise OpenbookError(f"OPENBOOK_HTTP_TIMEOUT={raw!r}: give a number of seconds above 0.")
    return (seconds, seconds)


class Unreachable(Exception):
    """No answer after every attempt (connection refused, reset or timed out)."""

    def __init__(self, cause: BaseException):
        super().__init__(type(cause).__name__)
        self.cause = cause


def request(session: requests.Session, method: str, url: str, *, body: Optional[Callable[[], dict]] = None,
            attempts: int = ATTEMPTS, timeout=None, **kwargs) -> requests.Response:
    """``session.request`` with a timeout, retried with exponential backoff on
    connection errors, timeouts and 5xx answers. ``body()`` gives fresh
    request arguments for each attempt (an upload stream can be read once).

    Returns the last response (maybe a 5xx) or raises Unreachable.
    """
    last_exc: Optional[BaseException] = None
    last_resp: Optional[requests.Response] = None
    if timeout is None:
        timeout = http_timeout()
    for attempt in range(attempts):
        if attempt:
            time.sleep(BACKOFF * 2 ** (attempt - 1) * random.uniform(0.75, 1.25))
        args = dict(kwargs)
        if body is not None:
            args.update(body())
        try:
            resp = session.request(method, url, timeout=timeout, **args)
        except (requests.ConnectionError, requests.Timeout) as exc:
            last_exc, last_resp = exc, None
            continue
        if resp.status_code >= 500:
            last_exc, last_resp = None, resp
            continue
        return resp
    if last_resp is not None:
        return last_resp
    raise Unreachable(last_exc)


class MultipartUpload:
    """A multipart/form-data body that streams one file from disk and reports
    progress. It has a length, so requests sends Content-Length, not chunks."""

    def __init__(self, fields: dict[str, str], field: str, filename: str, fileobj, size: int,
                 content_type: str, progress: Optional[Callable[[int], None]] = None):
        self.boundary = "openbook-" + uuid.uuid4().hex
        head = b""
        for key, value in fields.items():
            head += (f"--{self.boundary}\r\nContent-Disposition: form-data; name=\"{key}\"\r\n\r\n"
                     .encode("utf-8") + str(value).encode("utf-8") + b"\r\n")
        safe_name = filename.replace('"', "").replace("\r", "").replace("\n", "")
        head += (f"--{self.boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
                 f"filename=\"{safe_name}\"\r\nContent-Type: {content_type}\r\n\r\n").encode("utf-8")
        self._parts = [head, fileobj, f"\r\n--{self.boundary}--\r\n".encode("ascii")]
        self._length = len(head) + size + len(self._parts[2])
        self._index = 0
        self._offset = 0
        self._progress = progress
        self._file_done = 0

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return self._length

    def __iter__(self):  # requests treats an iterable with a length as a stream
        while True:
            chunk = self.read(256 * 1024)
            if not chunk:
                return
            yield chunk

    def read(self, size: int = -1) -> bytes:
        out = b""
        while self._index < len(self._parts) and (size < 0 or len(out) < size):
            part = self._parts[self._index]
            want = -1 if size < 0 else size - len(out)
            if isinstance(part, bytes):
                chunk = part[self._offset:] if want < 0 else part[self._offset:self._offset + want]
                self._offset += len(chunk)
                if self._offset >= len(part):
                    self._index += 1
                    self._offset = 0
            else:
                chunk = part.read(want if want > 0 else 256 * 1024)
                if not chunk:
                    self._index += 1
                    continue
                self._file_done += len(chunk)
                if self._progress:
                    self._progress(self._file_done)
            out += chunk
        return out
