"""Pure helpers for the spam verdicts mail servers write into the headers
of the emails they deliver (SpamAssassin, Rspamd and the MTAs that relay
their verdicts), and for the addresses and domains of a blocklist.
Nothing here touches the database."""

import re

# Headers whose value starts with "Yes" when the mail server judged the email
# spam: "X-Spam-Flag: YES", "X-Spam-Status: Yes, score=7.3 required=5.0 ...".
SPAM_FLAG_HEADERS = ("X-Spam-Flag", "X-Spam-Status")
# Headers whose value starts with the spam score: "X-Spam-Score: 7.3",
# "X-Rspamd-Score: 12.50 / 15.00".
SPAM_SCORE_HEADERS = ("X-Spam-Score", "X-Rspamd-Score")
SPAM_HEADERS = SPAM_FLAG_HEADERS + SPAM_SCORE_HEADERS
SPAM_FLAG = re.compile(r"\s*yes(?![\w-])", re.IGNORECASE)
# A plain decimal number: "nan", "inf", "1e9" or "7,3" are no scores.
SPAM_SCORE = re.compile(r"\s*([+-]?\d{1,9}(?:\.\d{1,9})?)(?![\w.,])")
# A host name of at least two labels, once in ASCII (IDNA).
DOMAIN = re.compile(r"(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,63}")


def spam_headers(message):
    """The spam verdict headers of an ``email.message``, as a tuple of
    ``(name, value)`` pairs in the order of the message."""
    return tuple(
        (name, str(value))
        for name in SPAM_HEADERS
        for value in message.get_all(name) or ()
    )


def spam_score(value):
    """The score a spam score header gives, or None when it gives none."""
    match = SPAM_SCORE.match(value or "")
    return float(match.group(1)) if match else None


def spam_verdict(headers, threshold):
    """Why ``headers`` (``(name, value)`` pairs) say the email is spam: the
    header that says so, as text; None when none does.

    The flags count whatever their case and spacing. A score counts from
    ``threshold`` up (equal included, as SpamAssassin and Rspamd decide); a
    ``threshold`` of 0 or less ignores the scores. A sender can add any
    header: only a header saying spam counts, so that adding one saying the
    opposite unflags nothing."""
    for name, value in headers:
        if name.lower() in (header.lower() for header in SPAM_FLAG_HEADERS):
            if SPAM_FLAG.match(value):
                return f"{name}: {' '.join(value.split())[:80]}"
    if threshold <= 0:
        return None
    for name, value in headers:
        if name.lower() in (header.lower() for header in SPAM_SCORE_HEADERS):
            score = spam_score(value)
            if score is not None and score >= threshold:
                return f"{name}: {score:g} >= {threshold:g}"
    return None


def normalize_domain(text):
    """``text`` as a domain of a blocklist: lower-case ASCII (IDNA), without
    the "@" or "*." written in front nor the final dot; an empty string when
    it is no domain name."""
    domain = (text or "").strip().lower().rstrip(".")
    domain = domain.removeprefix("@").removeprefix("*.")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    return domain if DOMAIN.fullmatch(domain) else ""


def sender_domains(email):
    """The domains a blocklist entry may name to block the normalized
    address ``email``: its own domain and the parent domains of it, down to
    two labels (``a.b.example.com``, ``b.example.com``, ``example.com``).
    Never a mere suffix of a label: ``notexample.com`` is not under
    ``example.com``."""
    domain = normalize_domain((email or "").rpartition("@")[2])
    labels = domain.split(".") if domain else []
    return [".".join(labels[index:]) for index in range(len(labels) - 1)]
