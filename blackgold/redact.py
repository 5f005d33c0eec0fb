"""Keep secrets off every surface a stranger can read: URLs printed in errors, logs, health and config output.

An RPC or database URL may carry credentials (`http://user:password@host`, `postgresql://u:pw@db/x`) or an API
key in its path or query (`?apikey=...`, Infura-style `/v3/<key>`). `redact_url` masks all of them; `redact_text`
masks every URL inside a longer message (a node's error text often quotes the URL it failed to reach).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
_SECRET_QUERY = re.compile(r"(key|token|secret|password|passwd|pwd|auth|sig|signature|credential)", re.I)
_KEY_SEGMENT = re.compile(r"^[0-9a-fA-F]{24,}$|^[A-Za-z0-9_\-]{32,}$")
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s'\"<>]+")


def redact_url(url: str) -> str:
    """`url` with userinfo password, secret-looking query values and key-like path segments masked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{MASK}@{host}"
    path = "/".join(MASK if _KEY_SEGMENT.match(seg) else seg for seg in parts.path.split("/"))
    query = urlencode(
        [(k, MASK if _SECRET_QUERY.search(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)],
        safe="*",
    )
    return urlunsplit((parts.scheme, netloc, path, query, parts.fragment))


def redact_text(text: str) -> str:
    """Every URL in `text` redacted (for error messages that quote the endpoint)."""
    return _URL.sub(lambda m: redact_url(m.group(0)), text)
