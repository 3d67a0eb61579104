"""URLs of model endpoints: provider hosts, approved endpoints, loopback, regions in hosts."""

from __future__ import annotations

import fnmatch
import ipaddress
from urllib.parse import urlsplit

from phi_lint.catalog import Catalog


def host_of(url: str) -> str:
    try:
        return (urlsplit(url if "://" in url else "https://" + url).hostname or "").lower()
    except ValueError:
        return ""


def is_loopback(host: str) -> bool:
    if host in ("localhost", "ip6-localhost") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_provider_host(host: str, catalog: Catalog) -> bool:
    return any(fnmatch.fnmatchcase(host, pattern) for pattern in catalog.provider_hosts)


def is_approved(url: str, approved: tuple[str, ...]) -> bool:
    """Loopback is always approved; otherwise the URL must be under an approved endpoint: same
    scheme, host and port (default ports made explicit), and a path under the approved one."""
    if is_loopback(host_of(url)):
        return True
    origin = _origin(url)
    if origin is None:
        return False
    path = urlsplit(url).path.rstrip("/")
    for entry in approved:
        allowed = urlsplit(entry)
        prefix = allowed.path.rstrip("/")
        if _origin(entry) == origin and (path == prefix or path.startswith(prefix + "/")):
            return True
    return False


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(url)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:  # a port that is not a number
        return None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def is_model_endpoint(url: str, catalog: Catalog, approved: tuple[str, ...]) -> bool:
    """A URL a request to which is a model call: a provider host or an approved endpoint."""
    host = host_of(url)
    if not host:
        return False
    if is_provider_host(host, catalog):
        return True
    return any(host == host_of(entry) and not is_loopback(host) for entry in approved) or any(
        url.startswith(entry) for entry in approved
    )


def region_of_host(host: str, catalog: Catalog) -> str | None:
    for pattern in catalog.region_host_patterns:
        match = pattern.match(host)
        if match:
            return match.group("region")
    return None
