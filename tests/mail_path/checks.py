"""What the database and the SMTP sink hold after a run, read back for the
assertions, and compared with what a corpus expects."""

import re
from collections import defaultdict

from .corpus import DROPPED, REPLY, TICKET, subject_of

ACK_SUBJECT = re.compile(r"^\[#(\d+)\] ")


def tickets(database, team_id=None):
    """Tickets by the Message-ID of the email that opened them."""
    rows = database.rows(
        """
        SELECT t.id, t.email_message_id, t.name, t.ref, t.team_id, t.intake_channel,
               t.is_unprocessable, t.active, lower(p.email), p.name
          FROM helpdesk_ticket t
          LEFT JOIN res_partner p ON p.id = t.partner_id
         WHERE %(team)s IS NULL OR t.team_id = %(team)s
        """,
        {"team": team_id},
    )
    keys = (
        "id",
        "key",
        "name",
        "ref",
        "team_id",
        "channel",
        "unprocessable",
        "active",
        "email",
        "partner_name",
    )
    result = defaultdict(list)
    for row in rows:
        ticket = dict(zip(keys, row, strict=True))
        result[ticket["key"]].append(ticket)
    return result


def email_messages(database):
    """Incoming emails posted on tickets, by Message-ID, with the names of
    their attachments."""
    rows = database.rows(
        """
        SELECT m.message_id, m.res_id, m.body, m.author_id,
               coalesce(array_agg(a.name ORDER BY a.name)
                        FILTER (WHERE a.id IS NOT NULL), '{}')
          FROM mail_message m
          LEFT JOIN message_attachment_rel r ON r.message_id = m.id
          LEFT JOIN ir_attachment a ON a.id = r.attachment_id
         WHERE m.model = 'helpdesk.ticket' AND m.message_type = 'email'
         GROUP BY m.id
        """
    )
    result = defaultdict(list)
    for message_id, res_id, body, author_id, names in rows:
        result[message_id].append(
            {
                "res_id": res_id,
                "body": body or "",
                "author_id": author_id,
                "attachments": tuple(names),
            }
        )
    return result


def compare(database, mails, team_id, others=()):
    """Differences between what ``mails`` expect and what the database
    holds, as readable lines (empty when everything matches). ``others``
    are the keys of the team's tickets that ``mails`` do not cover."""
    found = tickets(database, team_id)
    messages = email_messages(database)
    problems = []
    expected_keys = {m.message_id for m in mails if m.outcome == TICKET}
    for key in sorted(set(found) - expected_keys - set(others), key=str):
        problems.append(f"unexpected ticket {[t['name'] for t in found[key]]} ({key})")
    by_key = {}
    for mail in mails:
        where = f"{mail.shape} {mail.message_id}"
        if mail.outcome == TICKET:
            rows = found.get(mail.message_id, [])
            if len(rows) != 1:
                problems.append(f"{where}: {len(rows)} tickets instead of 1")
                continue
            ticket = by_key[mail.message_id] = rows[0]
            problems += _ticket_problems(where, mail, ticket)
        posted = messages.get(mail.message_id, [])
        if mail.outcome == DROPPED:
            if posted:
                problems.append(
                    f"{where}: posted {len(posted)} times, expected dropped"
                )
            continue
        if len(posted) != 1:
            problems.append(f"{where}: posted {len(posted)} times instead of once")
            continue
        ticket = by_key.get(mail.ticket_key)
        if ticket and posted[0]["res_id"] != ticket["id"]:
            problems.append(
                f"{where}: posted on ticket {posted[0]['res_id']}, not {ticket['id']}"
            )
        if posted[0]["attachments"] != mail.attachments:
            problems.append(
                f"{where}: attachments {posted[0]['attachments']} != {mail.attachments}"
            )
        for snippet in mail.snippets:
            if snippet not in posted[0]["body"]:
                problems.append(
                    f"{where}: {snippet!r} missing from {posted[0]['body'][:200]!r}"
                )
    return problems


def _ticket_problems(where, mail, ticket):
    problems = []
    if ticket["name"] != mail.title:
        problems.append(f"{where}: title {ticket['name']!r} != {mail.title!r}")
    if ticket["email"] != mail.customer:
        problems.append(f"{where}: customer {ticket['email']} != {mail.customer}")
    if mail.customer_name and ticket["partner_name"] != mail.customer_name:
        name = ticket["partner_name"]
        problems.append(f"{where}: customer name {name!r} != {mail.customer_name!r}")
    if ticket["channel"] != "email" or ticket["unprocessable"] or not ticket["active"]:
        problems.append(f"{where}: {ticket}")
    return problems


def thread_sizes(mails):
    """Expected number of incoming emails in each ticket's thread."""
    sizes = defaultdict(int)
    for mail in mails:
        if mail.outcome in (TICKET, REPLY):
            sizes[mail.ticket_key] += 1
    return dict(sizes)


def acknowledgements(sent):
    """Acknowledgements among the sent mails, by ticket reference."""
    acks = defaultdict(list)
    for mail in sent:
        match = ACK_SUBJECT.match(subject_of(mail))
        if match and mail.message["Auto-Submitted"]:
            acks[match.group(1)].append(mail)
    return acks


def acks_by_opening_email(database, sent, team_id):
    """``{Message-ID of the opening email: acknowledgement}``."""
    refs = {
        ref: key
        for key, ref in database.rows(
            "SELECT email_message_id, ref FROM helpdesk_ticket WHERE team_id = %s",
            (team_id,),
        )
    }
    return {
        refs[ref]: mails[0]
        for ref, mails in acknowledgements(sent).items()
        if ref in refs
    }


def snapshot(database, team_id):
    """The tickets of a team as agents see them, independent of ids and of
    the order in which the emails were processed."""
    messages = database.rows(
        """
        SELECT t.email_message_id, m.message_id,
               coalesce(array_agg(a.name ORDER BY a.name)
                        FILTER (WHERE a.id IS NOT NULL), '{}')
          FROM helpdesk_ticket t
          JOIN mail_message m ON m.model = 'helpdesk.ticket' AND m.res_id = t.id
                             AND m.message_type = 'email'
          LEFT JOIN message_attachment_rel r ON r.message_id = m.id
          LEFT JOIN ir_attachment a ON a.id = r.attachment_id
         WHERE t.team_id = %s
         GROUP BY t.email_message_id, m.message_id
        """,
        (team_id,),
    )
    threads = defaultdict(list)
    for key, message_id, names in messages:
        threads[key].append((message_id, tuple(names)))
    found = tickets(database, team_id)
    # references are numbered in processing order: name tickets by email
    key_of = {ticket["ref"]: key for key, rows in found.items() for ticket in rows}

    def title(name):
        return re.sub(
            r"#(\d+)", lambda match: f"#{key_of.get(match.group(1), '?')}", name
        )

    return {
        key: (
            title(ticket["name"]),
            ticket["email"],
            ticket["partner_name"],
            ticket["unprocessable"],
            sorted(threads.get(key, [])),
        )
        for key, rows in found.items()
        for ticket in rows
    }
