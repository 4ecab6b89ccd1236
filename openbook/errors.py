"""The one exception the command line turns into a one-line message, and the one scrubber."""
import re


class OpenbookError(Exception):
    """A problem with the user's input, command or target.

    The message is shown to a finance officer as it is: it names the file,
    sheet or cell and says what to do. The CLI exits with ``exit_code``:
    2 for input that cannot be read or a misused command.
    """
    exit_code = 2


class Refused(OpenbookError):
    """The input was read, but its problems mean the work was refused (exit 1)."""
    exit_code = 1


class NoPackages(OpenbookError):
    """A catalogue (folder, S3 prefix or CKAN site) that holds no openbook
    dataset yet: an error for compare, an empty board for serve."""


# user:password@ after a scheme, up to the last @ of the address (a password
# may hold an @ or a /); the same without a scheme (scp-style, an endpoint
# typed without http://, //user:pw@host); and secrets in a query string
# (presigned URLs, ?token=, ?api_key=).
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)(?:[^\s@\"'<>]*@)+")
_BARE_USERINFO = re.compile(r"(?i)(^|[\s\"'(<=,;]|//)[^\s/@:\"'<>(]+:[^\s@\"'<>]*@")
_QUERY_SECRET = re.compile(r"(?i)([?&][\w.-]*(?:token|key|secret|password|passwd|pwd|signature|credential|auth|sig)"
                           r"[\w.-]*=)[^&\s#\"'<>]*")
# What a terminal would act on, or what hides or reorders text: C0 controls
# (ESC, bare CR, BEL, backspace, new lines), DEL, C1 controls (CSI, OSC),
# line and paragraph separators, zero-width and bidi controls, a BOM.
_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064"
                       "\u2066-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def printable(text: str) -> str:
    """The text with every control character written as an escape (``\\x1b``,
    ``\\r``, ``\\u202e``), so that a cell or a file name can neither drive a
    terminal (clear the screen, move the cursor, set the title) nor fake a
    line of output such as a verdict. Tabs and ordinary characters are kept."""
    text = str(text)
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub(lambda m: _NAMED.get(m.group(0)) or (
        f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100 else f"\\u{ord(m.group(0)):04x}"), text)


def printable_json(text: str) -> str:
    """JSON text (from json.dumps, which escapes only C0 controls) with the
    other control characters escaped as ``\\uXXXX``: still the same JSON."""
    return _CONTROLS.sub(lambda m: f"\\u{ord(m.group(0)):04x}" if m.group(0) != "\n" else "\n", text)


def scrub(text: str) -> str:
    """The text with any ``user:password@`` part of an address, and any secret
    in a query string, taken out, and control characters escaped (``printable``).

    Every message that may hold an address a user typed goes through here
    (and the command line passes every error through it again), so a secret
    in a URL is never printed or written, and a message is always one line.
    """
    text = _USERINFO.sub(r"\1", str(text))
    text = _BARE_USERINFO.sub(r"\1", text)
    text = _QUERY_SECRET.sub(r"\1***", text)
    return printable(text)
