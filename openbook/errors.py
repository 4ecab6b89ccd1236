"""The one exception the command line turns into a one-line message."""


class OpenbookError(Exception):
    """A problem with the user's input, command or target.

    The message is shown to a finance officer as it is: it names the file,
    sheet or cell and says what to do. The CLI exits 2 on it.
    """
