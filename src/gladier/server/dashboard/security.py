"""Cross-site request protection for the dashboard's buttons (cancel, resume).

Every form carries this process's secret token, and a POST is refused unless it carries the
token and, when the browser says where it comes from (``Origin``, else ``Referer``), that
origin is this server. A page on another site can neither read the token nor pass the check.

Example::

    >>> guard = CsrfGuard("s3cret")
    >>> guard.problem({"host": "127.0.0.1:8000", "origin": "http://127.0.0.1:8000"}, "s3cret")
    >>> guard.problem({"host": "127.0.0.1:8000", "origin": "https://evil.example"}, "s3cret")
    'the request comes from https://evil.example, not from this dashboard'
    >>> guard.problem({"host": "127.0.0.1:8000"}, "wrong")
    'the form token is missing or wrong; reload the page and try again'
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from urllib.parse import urlsplit

__all__ = ["CsrfGuard"]


class CsrfGuard:
    """Checks that a POST comes from one of this dashboard's own pages."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token or secrets.token_urlsafe(32)

    def problem(self, headers: Mapping[str, str], token: str | None) -> str | None:
        """Why the request must be refused, or ``None`` when it may go ahead.

        ``headers`` are the request's (lower-case names); ``token`` the form's ``csrf_token``.
        """
        host = (headers.get("host") or "").lower()
        if headers.get("sec-fetch-site", "").lower() == "cross-site":
            return "the request comes from another site"
        source = headers.get("origin") or headers.get("referer")
        if source:
            parts = urlsplit(source)
            if source == "null" or not parts.netloc or parts.netloc.lower() != host:
                where = parts.scheme + "://" + parts.netloc if parts.netloc else source
                return f"the request comes from {where}, not from this dashboard"
        if not token or not hmac.compare_digest(token.encode(), self.token.encode()):
            return "the form token is missing or wrong; reload the page and try again"
        return None
