"""The SSRF guard: only http(s) to public addresses, checked before and after connecting.

A source's URL comes from staff, but the pages it links or redirects to come from the
internet, so every hop is checked twice: the host's DNS answers before the request (a clear
refusal), and the address the socket actually connected to (so a DNS answer that changes
between the check and the connection, "DNS rebinding", cannot reach an internal service).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from jobs_ingest.records import Rejected

Resolver = Callable[..., list[Any]]
AddressCheck = Callable[[str], bool]
SCHEMES = ("http", "https")


class BlockedAddress(Rejected):
    """The URL is not http(s), or its host is (or resolves to) a non-public address."""


def is_public(address: str) -> bool:
    """True for a globally routable unicast address; private, loopback, link-local, etc. are not."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def check_url(url: str, allow_private: bool, resolver: Resolver = socket.getaddrinfo,
              address_allowed: AddressCheck = is_public) -> None:
    """Raise BlockedAddress unless ``url`` is http(s) and (unless allowed) every address is public."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        raise BlockedAddress("bad_url", f"only http and https are fetched, not {parts.scheme or 'no'} scheme")
    if not parts.hostname:
        raise BlockedAddress("bad_url", f"no host in {url[:200]}")
    if allow_private:
        return
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        answers = resolver(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise BlockedAddress("connection", f"cannot resolve {parts.hostname}: {exc}") from None
    for answer in answers:
        address = str(answer[4][0])
        if not address_allowed(address):
            raise BlockedAddress("private_address",
                                 f"{parts.hostname} resolves to non-public address {address}")


class PrivatePeer(Exception):
    """The socket connected to a non-public address (raised from inside urllib3)."""


def _checked(sock: socket.socket, address_allowed: AddressCheck) -> socket.socket:
    peer = str(sock.getpeername()[0])
    if not address_allowed(peer):
        sock.close()
        raise PrivatePeer(f"connected to non-public address {peer}")
    return sock


def guarded_adapter(address_allowed: AddressCheck | None = is_public,
                    on_connect: Callable[[socket.socket], None] | None = None) -> HTTPAdapter:
    """A requests adapter whose connections refuse peers that ``address_allowed`` rejects (``None``:
    any peer) and hand each connected socket (TLS-wrapped where it is) to ``on_connect``."""

    class _Connection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            sock = super()._new_conn()
            return sock if address_allowed is None else _checked(sock, address_allowed)

        def connect(self) -> None:
            super().connect()
            if on_connect is not None and self.sock is not None:
                on_connect(self.sock)

    class _TLSConnection(_Connection, HTTPSConnection):
        """The same checks, then TLS (HTTPSConnection.connect wraps the checked socket)."""

    class _Pool(HTTPConnectionPool):
        ConnectionCls = _Connection

    class _TLSPool(HTTPSConnectionPool):
        ConnectionCls = _TLSConnection

    class _Adapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            """Build the pool manager with the guarded connection pools."""
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TLSPool}

    return _Adapter()
