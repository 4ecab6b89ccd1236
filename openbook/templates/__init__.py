"""The HTML templates of every page openbook writes, and the one way to load them.

Every page is also made safe the same two ways here: links go through the
``href`` filter (only http(s), relative and in-page addresses become links),
and ``with_csp`` gives the rendered page a strict Content-Security-Policy.
"""
from __future__ import annotations

import base64
import hashlib
import re
from html import unescape
from pathlib import Path

FOLDER = Path(__file__).resolve().parent

# Browsers drop ASCII whitespace and controls anywhere in a URL's scheme
# ("java\tscript:"), so they are taken out before the scheme is read.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.S)
_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')


def safe_href(url) -> str | None:
    """``url`` if it may be a link on our pages, else None: an http(s) address,
    or a relative or in-page one (no scheme at all). ``javascript:``,
    ``data:``, ``vbscript:``, ``file:`` and every other scheme never are."""
    if url is None:
        return None
    text = str(url)
    cleaned = _URL_NOISE.sub("", text)
    if not cleaned or cleaned != text.strip() or "\\" in cleaned:
        return None   # whitespace or controls inside, or a backslash: not a link we write
    m = _SCHEME.match(cleaned)
    if m and m.group(1).lower() not in ("http", "https"):
        return None
    if m and not re.match(r"(?i)^https?://[^/?#\s]+", cleaned):
        return None   # "http:foo" or "https:///x"
    return cleaned


def inline_hashes(html: str) -> dict[str, list[str]]:
    """The CSP sources ('sha256-...') of a page's own inline <script> and <style> blocks."""
    hashes: dict[str, set[str]] = {"script": set(), "style": set(), "attribute": set()}
    for kind, body in _INLINE.findall(html):
        hashes[kind].add(_sha256(body))
    # style="..." attributes (chart positions): allowed one by one, by the hash of the
    # value the browser reads (entities decoded), never as 'unsafe-inline'
    for quoted in _STYLE_ATTR.findall(html):
        hashes["attribute"].add(_sha256(unescape(quoted)))
    out = {kind: sorted(found) for kind, found in hashes.items()}
    if out["attribute"]:
        out["style"] = out["style"] + ["'unsafe-hashes'"] + out.pop("attribute")
    else:
        out.pop("attribute")
    return out


def _sha256(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode('utf-8')).digest()).decode()}'"


def without_csp(html: str) -> str:
    """The page without the meta policy with_csp gave it (a server sends its own header)."""
    return re.sub(r'<meta http-equiv="Content-Security-Policy" content="[^"]*">\n?', "", html, count=1)


def content_security_policy(html: str) -> str:
    """A strict policy for one page: nothing loaded from anywhere, no plugins,
    no forms, no <base>, and only the page's own inline <script> and <style>
    blocks (by their SHA-256) run or apply. A javascript: link cannot run."""
    hashes = inline_hashes(html)
    script = " ".join(hashes["script"]) or "'none'"
    style = " ".join(hashes["style"]) or "'none'"
    return (f"default-src 'none'; script-src {script}; style-src {style}; img-src data:; "
            "base-uri 'none'; form-action 'none'; object-src 'none'")


def with_csp(html: str) -> str:
    """The page with its Content-Security-Policy meta tag at the top of <head>
    (after the charset, which must come within its first 1,024 bytes)."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy(html)}">'
    head = re.search(r"<meta charset=[^>]*>\n?", html, re.I) or re.search(r"<head>\n?", html, re.I)
    if head is None:
        raise ValueError("a page without <head>")
    return html[:head.end()] + meta + "\n" + html[head.end():]


def environment(keep_trailing_newline: bool = False):
    """A jinja2 environment over this folder: HTML escaped, undefined names an
    error, and the ``href`` filter for every link made from data."""
    import jinja2
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(FOLDER)),
        autoescape=jinja2.select_autoescape(["html"], default=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=keep_trailing_newline)
    env.filters["href"] = safe_href
    return env
