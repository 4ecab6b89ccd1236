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


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]*@")


def scrub(text: str) -> str:
    """The text with any ``user:password@`` part of a URL taken out.

    Every message that may hold an address a user typed goes through here
    (and the command line passes every error through it again), so a secret
    in a URL is never printed or written.
    """
    return _USERINFO.sub(r"\1", str(text))
