"""Pure helpers for what visitors and senders type: names that can never
become addresses, text without control characters, titles of a bounded
length, and the client network a rate limit counts."""

import ipaddress
import re

TITLE_MAX_LENGTH = 200
# A free-text name ends up in address headers (formataddr) and is parsed
# again by the gateway: nothing in it may read as an address or a header.
ADDRESS_SPECIALS = re.compile(r'[\x00-\x1f\x7f-\x9f<>@,;"\\]')
# C0 controls but TAB, LF and CR, DEL and C1 controls: never typed by a
# person, and NUL is refused by PostgreSQL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAKS = re.compile(r"[\t\r\n]")
# IPv6 clients get a /64 each from their provider: counting single
# addresses would give one client 2**64 tries.
IPV6_CLIENT_PREFIX = 64


def neutralize_display_name(name):
    """``name`` with every character that could turn it into an address, a
    list of addresses or another header replaced by a space."""
    return " ".join(ADDRESS_SPECIALS.sub(" ", name or "").split())


def has_control_characters(text, multiline=False):
    """Whether ``text`` holds control characters; TAB, LF and CR are only
    allowed when ``multiline``."""
    if not text:
        return False
    return bool(
        CONTROL_CHARACTERS.search(text) or (not multiline and LINE_BREAKS.search(text))
    )


def ticket_title(text, max_length=TITLE_MAX_LENGTH):
    """``text`` on one line, cut on a word boundary when longer than
    ``max_length`` (an ellipsis marks the cut)."""
    title = " ".join((text or "").split())
    if len(title) <= max_length:
        return title
    cut = title[: max_length - 1]
    if " " in cut[max_length // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def client_network(address):
    """What a per-client limit counts for a client ``address``: the address
    itself for IPv4, its /64 for IPv6 (IPv4-mapped addresses count as
    IPv4); an empty string when ``address`` is no IP address."""
    try:
        ip = ipaddress.ip_address((address or "").strip().split("%", 1)[0])
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.version == 4:
        return str(ip)
    network = ipaddress.ip_network(f"{ip}/{IPV6_CLIENT_PREFIX}", strict=False)
    return str(network)
