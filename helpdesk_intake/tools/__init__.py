from .intake import (
    TITLE_MAX_LENGTH,
    client_network,
    has_control_characters,
    neutralize_display_name,
    ticket_title,
)
from .mail import (
    AUTO_GENERATED_HEADERS,
    AUTO_REPLY_HEADERS,
    AUTOMATED_SENDER,
    SUBJECT_REFERENCE,
    forwarded_sender,
    header_text,
    is_auto_generated,
    is_automated_sender,
    is_duplicate_ticket,
    is_known_charset,
    message_bytes,
    raw_headers,
    raw_recipients,
    subject_references,
)
from .spam import (
    SPAM_HEADERS,
    normalize_domain,
    sender_domains,
    spam_headers,
    spam_score,
    spam_verdict,
)
