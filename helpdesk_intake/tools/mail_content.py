"""Pure helpers that read what mail clients really send: Outlook's
winmail.dat (TNEF), S/MIME wrappers, calendar invitations, forwards attached
as a whole message, and the quoted history and signature under a reply.
Nothing here touches the database."""

import email
import email.policy
import logging
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from html import escape

from lxml import html as lxml_html

_logger = logging.getLogger(__name__)

try:
    import tnefparse
except ImportError:
    tnefparse = None
    _logger.warning(
        "Python library tnefparse is missing: Outlook winmail.dat attachments "
        "of incoming emails are kept as they are, without their text and files"
    )

try:
    from compressed_rtf import decompress as decompress_rtf  # used by tnefparse
    from striprtf.striprtf import rtf_to_text
except ImportError:
    decompress_rtf = rtf_to_text = None
    _logger.warning(
        "Python library compressed_rtf or striprtf is missing: Outlook "
        "winmail.dat attachments whose text is only in RTF are kept without "
        "their text"
    )

try:
    import icalendar
except ImportError:
    icalendar = None
    _logger.warning(
        "Python library icalendar is missing: calendar invitations of incoming "
        "emails are kept as attachments, without their summary in the ticket"
    )

try:
    from asn1crypto import cms
except ImportError:  # shipped with Odoo's requirements; unlikely
    cms = None
    _logger.warning(
        "Python library asn1crypto is missing: S/MIME signed emails are kept "
        "as attachments, without their text"
    )

TNEF_TYPES = ("application/ms-tnef", "application/vnd.ms-tnef")
SMIME_TYPES = ("application/pkcs7-mime", "application/x-pkcs7-mime")

# Attribution lines above a quoted message, as common mail clients write them
# in English, Spanish, French, German, Portuguese and Dutch.
QUOTE_ATTRIBUTION = re.compile(
    r"^\s*(?:"
    r"On\s.+\swrote\s?:"
    r"|El\s.+\sescribi[óo]\s?:"
    r"|Le\s.+\sa\s[ée]crit\s?:"
    r"|Am\s.+\sschrieb.*:"
    r"|Em\s.+\sescreveu\s?:"
    r"|Op\s.+\sschreef.*:"
    r"|-{2,}\s*(?:Original Message|Mensaje original|Message d'origine"
    r"|Urspr[üu]ngliche Nachricht|Mensagem original|Oorspronkelijk bericht)"
    r"\s*-{2,}"
    r")\s*$",
    re.IGNORECASE,
)
# Outlook's header block above the message it replies to: "From:" then,
# within a few lines, "Sent:" (or its translations).
OUTLOOK_FROM = re.compile(r"^\s*(?:From|De|Von|Van|Da)\s*:\s*\S", re.IGNORECASE)
OUTLOOK_SENT = re.compile(
    r"^\s*(?:Sent|Date|Enviado(?: el)?|Fecha|Envoy[ée]|Gesendet|Datum|Data"
    r"|Verzonden)\s*:",
    re.IGNORECASE,
)
OUTLOOK_RULE = re.compile(r"^\s*_{10,}\s*$")
# RFC 3676 signature separator, "-- " (some clients drop the space).
SIGNATURE_SEPARATOR = re.compile(r"^-- ?$")
BLOCK_TAGS = {
    "address",
    "article",
    "blockquote",
    "div",
    "dl",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tr",
    "ul",
}


@dataclass
class ExpandedEmail:
    """An email whose wrappers were opened; ``changed`` tells whether
    ``message`` differs from the one received."""

    message: EmailMessage
    changed: bool = False
    encrypted: bool = False
    unread_tnef: bool = False
    events: list = field(default_factory=list)
    # the first email attached whole, its wrappers opened
    forwarded: EmailMessage | None = None


# ----------------------------------------------------------------------
# MIME WRAPPERS
# ----------------------------------------------------------------------


def expand_email(message):
    """Open the wrappers of ``message`` (an ``email.message.EmailMessage``):
    winmail.dat becomes its body and files (the original kept), an opaque
    S/MIME signed message becomes its content (the signed original kept), an
    encrypted one is only kept as a file, calendar invitations and inline
    images get a file name. ``message`` itself is left untouched."""
    result = ExpandedEmail(message=message)
    if not any(_is_wrapper(part) for part in message.walk()):
        return result
    copy = email.message_from_bytes(_as_bytes(message), policy=email.policy.SMTP)
    expanded = _expand_part(copy, result, depth=0)
    if result.changed:
        if expanded is not copy:
            expanded = _with_headers_of(copy, expanded)
        result.message = expanded
    return result


def _is_wrapper(part):
    ctype = part.get_content_type()
    filename = (part.get_filename() or "").lower()
    return (
        ctype in TNEF_TYPES + SMIME_TYPES + ("text/calendar", "message/rfc822")
        or filename == "winmail.dat"
        or filename.endswith(".p7m")
        or (
            part.get_content_maintype() == "image"
            and part.get("Content-ID")
            and not part.get_filename()
        )
    )


def _as_bytes(message):
    try:
        return message.as_bytes(policy=email.policy.SMTP)
    except (UnicodeError, ValueError, LookupError):
        return message.as_bytes(policy=email.policy.compat32)


def _expand_part(part, result, depth):
    if depth > 10:  # nested wrappers: a hostile email, keep the rest as is
        return part
    ctype = part.get_content_type()
    if part.is_multipart():
        if ctype == "message/rfc822":
            return _expand_attached_email(part, result, depth)
        children = part.get_payload()
        for index, child in enumerate(children):
            replacement = _expand_part(child, result, depth + 1)
            if replacement is not child:
                children[index] = replacement
        return part
    filename = (part.get_filename() or "").lower()
    if ctype in TNEF_TYPES or filename == "winmail.dat":
        return _expand_tnef(part, result)
    if ctype in SMIME_TYPES or filename.endswith(".p7m"):
        return _expand_smime(part, result, depth)
    if ctype == "text/calendar":
        return _read_calendar(part, result)
    if part.get_content_maintype() == "image" and part.get("Content-ID"):
        if not part.get_filename():
            subtype = part.get_content_subtype()
            part.set_param("name", f"image-{part['Content-ID'].strip('<>')}.{subtype}")
            result.changed = True
    return part


def _with_headers_of(source, content):
    """``content`` as a whole email carrying the headers of ``source``."""
    message = EmailMessage(policy=email.policy.SMTP)
    for name, value in source.items():
        if not name.lower().startswith("content-") and name.lower() != "mime-version":
            message[name] = value
    message["MIME-Version"] = "1.0"
    for name, value in content.items():
        if name.lower().startswith("content-"):
            message[name] = value
    if content.is_multipart():
        message.set_payload(content.get_payload())
    else:
        message.set_payload(content.get_payload(decode=False))
    return message


def _mixed(*parts):
    container = EmailMessage(policy=email.policy.SMTP)
    container.make_mixed()
    for part in parts:
        container.attach(part)
    return container


def _file_part(content, filename, mimetype="application/octet-stream"):
    maintype, subtype = mimetype.split("/", 1)
    part = EmailMessage(policy=email.policy.SMTP)
    part.set_content(content, maintype=maintype, subtype=subtype, filename=filename)
    return part


def _text_part(text, subtype="plain"):
    part = EmailMessage(policy=email.policy.SMTP)
    part.set_content(text, subtype=subtype)
    return part


def _kept_original(part, default_name):
    """``part`` as a plain attachment, under its own name or ``default_name``."""
    return _file_part(
        part.get_payload(decode=True) or b"",
        part.get_filename() or default_name,
        part.get_content_type(),
    )


def _expand_tnef(part, result):
    data = part.get_payload(decode=True) or b""
    if tnefparse is None:
        result.unread_tnef = True
        return part
    try:
        tnef = tnefparse.TNEF(data, do_checksum=False)
    except Exception as error:  # tnefparse raises bare ValueError and others
        _logger.info("Unreadable winmail.dat kept as is: %s", error)
        result.unread_tnef = True
        return part
    parts = []
    if tnef.htmlbody:
        parts.append(_text_part(_text(tnef.htmlbody), "html"))
    elif tnef.body:
        parts.append(_text_part(_text(tnef.body)))
    elif getattr(tnef, "_rtfbody", None) and (rtf_text := _rtf_text(tnef)):
        parts.append(_text_part(rtf_text))
    elif getattr(tnef, "_rtfbody", None) or not tnef.attachments:
        # unreadable RTF, or nothing readable: the text stays in winmail.dat
        result.unread_tnef = True
    for attachment in tnef.attachments:
        name = attachment.long_filename() or attachment.name or "attachment"
        parts.append(_file_part(attachment.data or b"", name))
    parts.append(_kept_original(part, "winmail.dat"))
    result.changed = True
    return _mixed(*parts)


def _rtf_text(tnef):
    """Plain text of the RTF body of a winmail.dat, or "" when unreadable."""
    if decompress_rtf is None:
        return ""
    try:
        # tnefparse decompresses it with compressed_rtf, known to be here
        rtf = tnef.rtfbody
        text = rtf_to_text(_text(rtf).rstrip("\x00"), errors="replace")
    except Exception as error:  # both libraries raise bare errors of any kind
        _logger.info("Unreadable RTF text of winmail.dat: %s", error)
        return ""
    return text.strip()


def _text(value):
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")
    return value or ""


def _expand_smime(part, result, depth):
    data = part.get_payload(decode=True) or b""
    smime_type = (part.get_param("smime-type") or "").lower()
    if cms is None:
        return part
    try:
        info = cms.ContentInfo.load(data)
        content_type = info["content_type"].native
    except (ValueError, TypeError) as error:
        _logger.info("Unreadable S/MIME part kept as is: %s", error)
        return part
    if content_type == "enveloped_data" or smime_type == "enveloped-data":
        result.encrypted = True
        return part
    if content_type != "signed_data":
        return part
    try:
        inner = info["content"]["encap_content_info"]["content"].native or b""
    except (ValueError, TypeError, KeyError) as error:
        _logger.info("Unreadable S/MIME signed data kept as is: %s", error)
        return part
    inner_message = email.message_from_bytes(inner, policy=email.policy.SMTP)
    inner_message = _expand_part(inner_message, result, depth + 1)
    result.changed = True
    return _mixed(inner_message, _kept_original(part, "smime.p7m"))


def _read_calendar(part, result):
    if not part.get_filename():
        part.set_param("name", "invitation.ics")
        result.changed = True
    if icalendar is None:
        return part
    try:
        calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True) or b"")
    except (ValueError, TypeError) as error:
        _logger.info("Unreadable calendar invitation kept as is: %s", error)
        return part
    result.events += calendar_events(calendar)
    result.changed = True
    return part


def calendar_events(calendar):
    """Meetings of an ``icalendar.Calendar``, as dicts: ``method`` (REQUEST,
    CANCEL, ...), ``summary``, ``start``, ``end`` (``date`` or ``datetime``,
    naive when floating), ``organizer`` and ``location``."""
    method = str(calendar.get("METHOD") or "").upper()
    events = []
    for event in calendar.walk("VEVENT"):
        organizer = event.get("ORGANIZER")
        organizer_name = ""
        if organizer is not None:
            address = re.sub(r"^mailto:", "", str(organizer), flags=re.I)
            name = organizer.params.get("CN", "")
            organizer_name = f"{name} <{address}>" if name else address
        events.append(
            {
                "method": method,
                "summary": str(event.get("SUMMARY") or ""),
                "start": event.decoded("DTSTART", None),
                "end": event.decoded("DTEND", None),
                "organizer": organizer_name,
                "location": str(event.get("LOCATION") or ""),
            }
        )
    return events


def _expand_attached_email(part, result, depth):
    """An email attached whole: the header block of a forward (as mail
    clients write it inline, so the forward's sender is read the same way),
    its content, and the original as an ``.eml`` file."""
    payload = part.get_payload()
    if not isinstance(payload, list) or not payload:
        return part
    attached = payload[0]
    header = "".join(
        f"<br>{name}: {escape(str(attached.get(name, '')))}"
        for name in ("From", "Date", "Subject", "To")
        if attached.get(name)
    )
    name = part.get_filename() or (
        f"{attached.get('Subject') or 'forwarded'}"[:100].replace("/", "-") + ".eml"
    )
    original = _file_part(_as_bytes(attached), name)
    content = _expand_part(attached, result, depth + 1)
    if result.forwarded is None:
        result.forwarded = content
    result.changed = True
    return _mixed(
        _text_part(f"<p>---------- Forwarded message ---------{header}</p>", "html"),
        content,
        original,
    )


# ----------------------------------------------------------------------
# QUOTED HISTORY AND SIGNATURE
# ----------------------------------------------------------------------


def strip_quoted_history(body):
    """``body`` (HTML) without the quoted conversation at its end and without
    the ``-- `` signature of its author. Only what ends the email goes: a
    quote followed by more text of the author is an interleaved reply and
    stays, and an email that would be left empty stays whole."""
    if not body or not body.strip():
        return body
    try:
        root = lxml_html.fragment_fromstring(str(body), create_parent="div")
    except (ValueError, TypeError):
        return body
    lines = _lines(root)
    cut = _cut_index([(text, quoted) for _chunk, _start, text, quoted in lines])
    if cut is None:
        return body
    chunk, start, _text_line, _quoted = lines[cut]
    _truncate_after(root, chunk, start)
    return (root.text or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root
    )


def strip_quoted_text(text):
    """Plain-text version of ``strip_quoted_history``."""
    lines = text.split("\n")
    cut = _cut_index([(line, line.lstrip().startswith(">")) for line in lines])
    return text if cut is None else "\n".join(lines[:cut]).rstrip() + "\n"


def _cut_index(lines):
    """Index of the first line to drop among ``(text, quoted)`` lines, or
    None."""
    quote_start = None
    index = len(lines)
    while index > 0:
        index -= 1
        text, quoted = lines[index]
        if not text.strip() or quoted:
            continue
        if _is_attribution(lines, index):
            quote_start = index
        elif index and _is_attribution(lines, index - 1):
            index -= 1  # an attribution wrapped over two lines
            quote_start = index
        else:
            break  # the author's own text: above is no trailing quote
    # Outlook quotes the previous message below a header block, neither
    # indented nor marked: from that block on, nothing is the author's.
    outlook_start = next(
        (
            index
            for index, (text, quoted) in enumerate(lines)
            if not quoted and _is_outlook_header(lines, index)
        ),
        None,
    )
    end = len(lines) if quote_start is None else quote_start
    if outlook_start is not None and outlook_start < end:
        quote_start = end = outlook_start
    if quote_start is None:
        # a bare trailing quote (no attribution line) also goes
        index = end
        while index > 0 and (lines[index - 1][1] or not lines[index - 1][0].strip()):
            index -= 1
        if index < end and any(quoted for _text, quoted in lines[index:end]):
            quote_start = end = index
    for index in range(end - 1, -1, -1):
        if SIGNATURE_SEPARATOR.match(lines[index][0].rstrip("\r")):
            end = index
            break
    if end == len(lines):
        return None
    if not any(text.strip() and not quoted for text, quoted in lines[:end]):
        return None  # nothing of the author would be left
    return end


def _is_attribution(lines, index):
    text = lines[index][0].strip()
    if QUOTE_ATTRIBUTION.match(text):
        return True
    if index + 1 < len(lines) and QUOTE_ATTRIBUTION.match(
        f"{text} {lines[index + 1][0].strip()}"
    ):
        return True  # an attribution wrapped over two lines
    return _is_outlook_header(lines, index)


def _is_outlook_header(lines, index):
    """Whether line ``index`` starts Outlook's block above a quoted message:
    "-----Original Message-----", or "From:" followed by "Sent:" (an
    underscore rule may come first)."""
    text = lines[index][0].strip()
    following = [line for line, _quoted in lines[index + 1 : index + 5]]
    if OUTLOOK_RULE.match(text):
        return bool(following) and bool(OUTLOOK_FROM.match(following[0]))
    if OUTLOOK_FROM.match(text):
        return any(OUTLOOK_SENT.match(line) for line in following)
    return text.startswith("-") and bool(QUOTE_ATTRIBUTION.match(text))


def _lines(root):
    """Lines of text of the HTML tree ``root``, in reading order, as
    ``(chunk, start, text, quoted)``: ``chunk`` is ``(element, "text" or
    "tail")`` holding the line, starting at offset ``start``."""
    lines = []
    pending = []  # pieces of the line being read: (chunk, start, text, quoted)

    def flush():
        if pending:
            chunk, start, _text, _quoted = pending[0]
            text = "".join(piece[2] for piece in pending)
            quoted = text.lstrip().startswith(">") or all(
                piece[3] for piece in pending if piece[2].strip()
            )
            lines.append((chunk, start, text, quoted))
            pending.clear()

    def add(chunk, value, quoted):
        offset = 0
        for index, line in enumerate(value.split("\n")):
            if index:
                flush()
            if line or not pending:
                pending.append((chunk, offset, line, quoted))
            offset += len(line) + 1

    def walk(element, in_quote):
        tag = element.tag if isinstance(element.tag, str) else ""
        here = in_quote or tag == "blockquote"
        if tag in BLOCK_TAGS or tag == "br":
            flush()
        if element.text and tag and tag != "br":  # not the text of comments
            add((element, "text"), element.text, here)
        for child in element:
            walk(child, here)
        if tag in BLOCK_TAGS:
            flush()
        if element.tail and element is not root:
            add((element, "tail"), element.tail, in_quote)

    walk(root, False)
    flush()
    return lines


def _truncate_after(root, chunk, start):
    """Drop from ``root`` everything from offset ``start`` of ``chunk``."""
    element, kind = chunk
    if kind == "text":
        element.text = element.text[:start] or None
        for child in list(element):
            element.remove(child)
        element.tail = None
        node = element
    else:
        element.tail = element.tail[:start] or None
        node = element
    while node is not root and node.getparent() is not None:
        parent = node.getparent()
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
        node = parent


def human_size(size):
    """``size`` bytes for people: 980 B, 12.3 KB, 25.0 MB."""
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} MB"
