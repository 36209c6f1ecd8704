"""URL extraction and the allowed-domain test used by the external_links check."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Bare domains are only recognised with these TLDs, so "v1.2", "e.g." or "file.txt" are not links.
_BARE_TLDS = (
    "com|net|org|info|biz|io|co|cn|hk|tw|jp|kr|uk|de|fr|ru|us|me|cc|tv|ly|gl|app|dev|shop|store"
    "|top|xyz|site|online|club|vip|link|live|buzz|win|bid|loan|work|click|icu|asia|ai"
)
_LABEL = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
_PATH = r"(?:[/?#][a-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]{0,2000})?"
_URL_RE = re.compile(
    rf"(?:https?|ftp)://[a-z0-9\-._~%@:\[\]]{{1,255}}{_PATH}"
    rf"|(?<![a-z0-9.\-@/])(?:www\.(?:{_LABEL}\.)+[a-z]{{2,24}}|(?:{_LABEL}\.)+(?:{_BARE_TLDS}))"
    rf"(?::\d{{1,5}})?(?![a-z0-9\-]){_PATH}",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\""


def host_of(url: str) -> str:
    """Lower-case host of a URL or bare domain, without scheme, credentials, port or dot."""
    rest = url.split("://", 1)[1] if "://" in url else url
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1]
    if host.startswith("["):
        return host.split("]", 1)[0].lstrip("[").lower()
    return host.split(":", 1)[0].strip(".").lower()


def find_urls(text: str) -> tuple[str, ...]:
    """URLs in text, including bare "www." links and bare domains with common TLDs."""
    return tuple(m.group().rstrip(_TRAILING) for m in _URL_RE.finditer(text))


def normalize_domain(domain: str) -> str:
    """Canonical form of an allowed domain: "https://*.Example.com/" -> "example.com"."""
    host = host_of(domain.strip())
    return host.removeprefix("*.").lstrip(".")


def is_allowed(host: str, allowed_domains: Iterable[str]) -> bool:
    """True when host equals an allowed domain or is one of its subdomains."""
    host = host.lower().strip(".")
    for domain in allowed_domains:
        d = normalize_domain(domain)
        if d and (host == d or host.endswith("." + d)):
            return True
    return False


def foreign_hosts(text: str, allowed_domains: Iterable[str]) -> tuple[str, ...]:
    """Sorted distinct hosts linked in text that are not allowed domains or their subdomains."""
    allowed = tuple(allowed_domains)
    hosts = {host_of(url) for url in find_urls(text)}
    return tuple(sorted(h for h in hosts if h and not is_allowed(h, allowed)))
