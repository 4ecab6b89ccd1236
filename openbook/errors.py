"""The one exception the command line turns into a one-line message."""


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
