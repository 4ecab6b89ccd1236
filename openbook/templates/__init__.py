"""The HTML templates of every page openbook writes, and the one way to load them."""
from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def environment(keep_trailing_newline: bool = False):
    """A jinja2 environment over this folder: HTML escaped, undefined names an error."""
    import jinja2
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(FOLDER)),
        autoescape=jinja2.select_autoescape(["html"], default=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=keep_trailing_newline)
