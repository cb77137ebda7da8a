import re

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.tools import email_normalize, get_lang, html2plaintext, is_html_empty

from odoo.addons.helpdesk_intake.tools import TITLE_MAX_LENGTH, ticket_title
from odoo.addons.mail.tools.discuss import Store

TICKET_COMMAND = "/ticket"
TICKET_COMMAND_PREFIX = re.compile(r"^\s*/ticket(?=\s|$)", re.IGNORECASE)
SEARCH_COMMAND = "/search_tickets"
SEARCH_COMMAND_PREFIX = re.compile(r"^\s*/search_tickets(?=\s|$)", re.IGNORECASE)
SEARCH_PAGE_SIZE = 10
# "#25" and "25" both name the ticket of reference 25.
TICKET_REFERENCE = re.compile(r"^#?(\d+)$")
# Joins, leaves and other system notices stay out of the transcript.
SYSTEM_MESSAGE_TYPES = ("notification", "user_notification")
HELPDESK_USER_GROUP = "helpdesk_intake.group_helpdesk_user"
LIVECHAT_USER_GROUP = "im_livechat.im_livechat_group_user"
# Limits of the files a ticket takes from its conversation: the website
# form's system parameters and defaults, read by name.
ATTACHMENT_LIMITS = (
    ("helpdesk_intake_website.max_attachments", 5),
    ("helpdesk_intake_website.max_attachment_size", 10),
)
MEGABYTE = 1024 * 1024
VISITOR_TICKETS_LIMIT = 5
# As long as the website form lets a name be.
VISITOR_NAME_MAX_LENGTH = 128
# Time zone of a helpdesk transcript: in the context, it turns Odoo's channel
# history into the transcript of a ticket (Odoo's /lead keeps its own).
TRANSCRIPT_TZ_CONTEXT_KEY = "helpdesk_transcript_tz"


class DiscussChannel(models.Model):
    _name = "discuss.channel"
    _inherit = "discuss.channel"

    helpdesk_ticket_ids = fields.One2many(
        "helpdesk.ticket",
        "origin_channel_id",
        string="Tickets",
        groups=HELPDESK_USER_GROUP,
        help="Tickets created from this conversation. Helpdesk users may read the "
        "conversations that have tickets.",
    )
    helpdesk_ticket_count = fields.Integer(
        string="Ticket Count",
        compute="_compute_helpdesk_ticket_count",
        groups=HELPDESK_USER_GROUP,
    )
    has_helpdesk_ticket = fields.Boolean(
        compute="_compute_has_helpdesk_ticket", store=True
    )

    _has_helpdesk_ticket_idx = models.Index(
        "(has_helpdesk_ticket) WHERE has_helpdesk_ticket IS TRUE"
    )

    def message_post(self, **kwargs):
        if not self.env.su and self._helpdesk_readers_only():
            raise AccessError(
                self.env._(
                    "Only the operators taking part in a live chat conversation "
                    "can write in it."
                )
            )
        return super().message_post(**kwargs)

    def _mail_get_operation_for_mail_message_operation(self, message_operation):
        operations = super()._mail_get_operation_for_mail_message_operation(
            message_operation
        )
        if message_operation == "create":
            for channel in self._helpdesk_readers_only():
                operations[channel] = "write"
        return operations

    def _helpdesk_readers_only(self):
        """The live chat conversations of ``self`` that the current user reads
        only through this addon's rule (conversations of tickets), as Odoo lets
        whoever reads a conversation post in it: reading is all the rule
        grants, they do not talk to the visitor."""
        user = self.env.user
        if (
            not user._is_internal()
            or user.has_group(LIVECHAT_USER_GROUP)
            or user.has_group("base.group_system")
        ):
            return self.browse()
        return self.filtered(
            lambda channel: (
                channel.channel_type == "livechat" and not channel.self_member_id
            )
        )

    @api.depends("helpdesk_ticket_ids")
    def _compute_has_helpdesk_ticket(self):
        for channel in self:
            channel.has_helpdesk_ticket = bool(channel.helpdesk_ticket_ids)

    def _compute_helpdesk_ticket_count(self):
        counts = dict(
            self.env["helpdesk.ticket"]._read_group(
                [("origin_channel_id", "in", self.ids)],
                ["origin_channel_id"],
                ["__count"],
            )
        )
        for channel in self:
            channel.helpdesk_ticket_count = counts.get(channel, 0)

    # ------------------------------------------------------------
    # /ticket COMMAND
    # ------------------------------------------------------------

    def execute_command_ticket(self, **kwargs):
        """Create a ticket from this live chat conversation: ``/ticket <title>``."""
        self.ensure_one()
        self._helpdesk_check_ticket_command_access()
        title = TICKET_COMMAND_PREFIX.sub("", kwargs.get("body") or "", count=1).strip()
        if title:
            message = self._helpdesk_ticket_command_create(title)
        else:
            message = self.env._(
                "Create a ticket with: %(pre_start)s%(command)s %(i_start)sticket title"
                "%(i_end)s%(pre_end)s",
                command=TICKET_COMMAND,
                pre_start=Markup("<pre>"),
                pre_end=Markup("</pre>"),
                i_start=Markup("<i>"),
                i_end=Markup("</i>"),
            )
        self.env.user._bus_send_transient_message(self, message)

    def _helpdesk_check_ticket_command_access(self):
        # Visitors, portal users and employees who merely can read the
        # conversation must not turn it into a ticket.
        if not (
            self.channel_type == "livechat"
            and self.env.user._is_internal()
            and self.self_member_id
        ):
            raise AccessError(
                self.env._(
                    "Only the operators taking part in a live chat conversation "
                    "can turn it into a ticket."
                )
            )

    def _helpdesk_ticket_command_create(self, title):
        team = self._helpdesk_livechat_team()
        # sudo: helpdesk.ticket - live chat operators hand conversations over to
        # the helpdesk without being helpdesk users themselves; the title is
        # their only input, everything else comes from the conversation.
        Ticket = self.env["helpdesk.ticket"].sudo()
        fallback_team = team or Ticket._default_team_id()
        if not fallback_team:
            return self.env._("There is no helpdesk team to create the ticket in.")
        ticket = Ticket.create(
            {
                **self._helpdesk_ticket_values(fallback_team, update_partner=False),
                "name": title,
            }
        )
        self._helpdesk_ticket_created(ticket)
        self._helpdesk_send_tickets_to_store()
        if team:
            return self.env._(
                "Created ticket %(ticket)s in team %(team)s.",
                ticket=ticket._get_html_link(),
                team=team.display_name,
            )
        return self.env._(
            "Created ticket %(ticket)s in team %(team)s: no helpdesk team takes "
            "the tickets of this live chat channel.",
            ticket=ticket._get_html_link(),
            team=fallback_team.display_name,
        )

    def _helpdesk_ticket_created(self, ticket, author=None):
        """What follows the creation of ``ticket`` from this conversation,
        whoever made it (``author``: the current user's partner by default):
        the files of the chat go with the ticket, a note stays here."""
        self.ensure_one()
        skipped = self._helpdesk_copy_attachments(ticket)
        return self._helpdesk_log_ticket_note(ticket, skipped, author)

    def _helpdesk_copy_attachments(self, ticket):
        """Copy the files sent in the conversation onto ``ticket``, within the
        limits of the website form; return those left out (still in the
        conversation and linked from the transcript)."""
        # sudo: ir.attachment - the files of the whole conversation, whoever
        # turns it into a ticket; they land on a ticket of the helpdesk.
        attachments = self.sudo().message_ids.attachment_ids.sorted("id")
        max_count, max_size = self._helpdesk_attachment_limits()
        kept = attachments.filtered(lambda a: a.file_size <= max_size)[:max_count]
        # All at once: one read (the copy would read the content and the
        # index apart from the other fields) and one insert for every copy.
        kept.fetch(
            [name for name, field in kept._fields.items() if field.store and field.copy]
        )
        kept.copy({"res_model": ticket._name, "res_id": ticket.id})
        return attachments - kept

    @api.model
    def _helpdesk_attachment_limits(self):
        """(count, size in bytes): the website form's limits, through its
        system parameters (this addon works without the website)."""
        params = self.env["ir.config_parameter"].sudo()
        limits = []
        for key, default in ATTACHMENT_LIMITS:
            try:
                limits.append(int(params.get_param(key) or default))
            except ValueError:
                limits.append(default)
        max_count, max_size_mb = limits
        return max_count, max_size_mb * MEGABYTE

    def _helpdesk_log_ticket_note(self, ticket, skipped, author=None):
        """Leave in the conversation a trace of ``ticket`` for its operators.

        A log, not a post: Odoo sends posts to every member, the visitor
        included. As an internal note of type notification, the visitor's
        own fetches (``mail.message`` hides internal notes from non-employees)
        and transcripts (which skip notifications) leave it out."""
        body = Markup("<p>%s</p>") % self.env._(
            "Ticket %(ticket)s created from this conversation.",
            ticket=ticket._helpdesk_backend_link(),
        )
        if skipped:
            body += Markup("<p>%s</p>") % self.env._(
                "Files left in the conversation, over the limits of the ticket "
                "form: %(names)s",
                names=", ".join(skipped.mapped("name")),
            )
        # sudo: mail.message - the operator may not write on the channel's
        # messages, the note carries only what they created.
        return self.sudo()._message_log(
            body=body, author_id=(author or self.env.user.partner_id).id
        )

    def _helpdesk_send_tickets_to_store(self):
        # The visitor's open tickets listed apart leave out those of this
        # conversation: a new one changes only the conversation's own list.
        if self.env.user.has_group(HELPDESK_USER_GROUP):
            Store(bus_channel=self.env.user).add(
                self, [self._helpdesk_own_tickets_store_field()]
            ).bus_send()

    def _helpdesk_own_tickets_store_field(self):
        return Store.Many("helpdesk_ticket_ids", ["display_name"])

    def _helpdesk_tickets_store_fields(self):
        return [
            self._helpdesk_own_tickets_store_field(),
            Store.Many(
                "helpdesk_visitor_ticket_ids",
                ["display_name"],
                value=lambda channel: channel._helpdesk_visitor_open_tickets(),
            ),
        ]

    def _helpdesk_visitor_open_tickets(self):
        """The visitor's latest open tickets (``VISITOR_TICKETS_LIMIT``), by
        their contact or the email they gave in the chat, those of this
        conversation aside: the side panel lists them apart."""
        self.ensure_one()
        # sudo: im_livechat.channel.member.history - who the visitor is.
        visitors = self.sudo().livechat_customer_history_ids
        partners = visitors.partner_id.filtered(lambda p: not p.is_public)
        # sudo: mail.message - the visitor's answer to the chatbot.
        answers = self.sudo()._chatbot_find_customer_values_in_messages(
            {"question_email": "email"}
        )
        emails = {
            email_normalize(email)
            for email in [answers.get("email"), *visitors.guest_id.mapped("email")]
            if email and email_normalize(email)
        }
        customer_domains = (
            [Domain("partner_id", "child_of", partners.ids)] if partners else []
        )
        customer_domains += [
            Domain("partner_email", "=ilike", email) for email in emails
        ]
        if not customer_domains:
            return self.env["helpdesk.ticket"]
        # The operator's own rights: the tickets they may read.
        return self.env["helpdesk.ticket"].search(
            Domain.OR(customer_domains)
            & Domain("is_closed", "=", False)
            & Domain("origin_channel_id", "!=", self.id),
            limit=VISITOR_TICKETS_LIMIT,
            order="id desc",
        )

    def helpdesk_ticket_title_suggestion(self):
        """The title the Create Ticket dialog proposes: the first line of the
        visitor's first message."""
        self.ensure_one()
        self._helpdesk_check_ticket_command_access()
        # sudo: im_livechat.channel.member.history, mail.message - who the
        # visitor is, and what they wrote.
        visitors = self.sudo().livechat_customer_history_ids
        visitor_messages = (
            self.sudo()
            .message_ids.filtered(
                lambda m: (
                    m.message_type == "comment"
                    and (
                        m.author_guest_id & visitors.guest_id
                        or m.author_id & visitors.partner_id
                    )
                    and not is_html_empty(m.body)
                )
            )
            .sorted("id")
        )
        for message in visitor_messages[:1]:
            for line in html2plaintext(message.body).splitlines():
                if line.strip():
                    return ticket_title(line.strip(), TITLE_MAX_LENGTH)
        return ""

    def _get_livechat_session_fields_to_store(self):
        fields_to_store = super()._get_livechat_session_fields_to_store()
        if self.env.user.has_group(HELPDESK_USER_GROUP):
            fields_to_store += self._helpdesk_tickets_store_fields()
        return fields_to_store

    # ------------------------------------------------------------
    # /search_tickets COMMAND
    # ------------------------------------------------------------

    def execute_command_search_tickets(self, **kwargs):
        """List the tickets matching ``/search_tickets <words>`` to the
        operator, ``SEARCH_PAGE_SIZE`` at a time from ``offset``."""
        self.ensure_one()
        self._helpdesk_check_ticket_command_access()
        terms = SEARCH_COMMAND_PREFIX.sub("", kwargs.get("body") or "", count=1)
        terms = " ".join(terms.split())
        if not terms:
            message = self.env._(
                "Search tickets by reference, title or customer with: "
                "%(pre_start)s%(command)s %(i_start)swords%(i_end)s%(pre_end)s",
                command=SEARCH_COMMAND,
                pre_start=Markup("<pre>"),
                pre_end=Markup("</pre>"),
                i_start=Markup("<i>"),
                i_end=Markup("</i>"),
            )
        elif not self.env["helpdesk.ticket"].has_access("read"):
            message = self.env._("Only helpdesk users can search tickets.")
        else:
            try:
                offset = max(int(kwargs.get("offset") or 0), 0)
            except (TypeError, ValueError):
                offset = 0
            message = self._helpdesk_search_tickets_message(terms, offset)
        self.env.user._bus_send_transient_message(self, message)

    @api.model
    def _helpdesk_ticket_search_domain(self, terms):
        """Tickets where every word is in the title or names the customer
        (name or email), or is the ticket's reference."""
        word_domains = []
        for word in terms.split():
            word_domain = Domain.OR(
                [
                    [("name", "ilike", word)],
                    [("partner_name", "ilike", word)],
                    [("partner_email", "ilike", word)],
                    [("partner_id", "ilike", word)],
                ]
            )
            if reference := TICKET_REFERENCE.match(word):
                word_domain |= Domain("ref", "=", reference.group(1))
            word_domains.append(word_domain)
        return Domain.AND(word_domains)

    def _helpdesk_search_tickets_message(self, terms, offset):
        # The operator's own rights: they see the tickets they may read.
        tickets = self.env["helpdesk.ticket"].search(
            self._helpdesk_ticket_search_domain(terms),
            offset=offset,
            limit=SEARCH_PAGE_SIZE + 1,
            order="is_closed, id desc",
        )
        if not tickets:
            if offset:
                return self.env._("No more tickets match “%(terms)s”.", terms=terms)
            return self.env._("No ticket matches “%(terms)s”.", terms=terms)
        shown = tickets[:SEARCH_PAGE_SIZE]
        lines = Markup("").join(
            Markup("<li>%s — %s</li>")
            % (ticket._helpdesk_backend_link(), ticket.stage_id.name or "")
            for ticket in shown
        )
        message = Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._("Tickets matching “%(terms)s”:", terms=terms),
            lines,
        )
        if len(tickets) > SEARCH_PAGE_SIZE:
            message += Markup(
                '<p><a href="#" class="o_helpdesk_search_more" '
                'data-terms="%s" data-offset="%s">%s</a></p>'
            ) % (terms, offset + SEARCH_PAGE_SIZE, self.env._("Load more"))
        return message

    # ------------------------------------------------------------
    # TICKET VALUES
    # ------------------------------------------------------------

    def _helpdesk_livechat_team(self):
        """The team taking the tickets of this conversation's live chat channel:
        the first one by sequence when several share the channel."""
        self.ensure_one()
        if not self.livechat_channel_id:
            return self.env["helpdesk.team"]
        # sudo: helpdesk.team - the operator may not be a helpdesk user.
        return (
            self.env["helpdesk.team"]
            .sudo()
            .search(
                [
                    ("livechat_channel_id", "=", self.livechat_channel_id.id),
                    ("use_livechat", "=", True),
                ],
                limit=1,
            )
        )

    def _helpdesk_ticket_values(self, team, update_partner):
        """Values of a ticket of ``team`` about this conversation, title aside.

        :param bool update_partner: let the logged-in visitor's answers to the
            chatbot fill their own missing email and phone (only when the
            visitor is the current user).
        """
        self.ensure_one()
        # The team reads the transcript: its working hours tell its time zone.
        tz = team.sudo().resource_calendar_id.tz or self.env.user.tz or "UTC"
        return {
            "team_id": team.id,
            "intake_channel": "livechat",
            "origin_channel_id": self.id,
            "description": self._helpdesk_transcript(tz),
            **self._helpdesk_customer_values(update_partner),
        }

    def _helpdesk_customer_values(self, update_partner):
        """The customer: the visitor's own partner when they are logged in,
        otherwise whatever the guest told about themselves."""
        # sudo: chatbot.message - the visitor's answers to the chatbot.
        answers = (
            self.env["chatbot.script.step"]
            .sudo()
            ._chatbot_prepare_customer_values(
                self.sudo(), create_partner=False, update_partner=update_partner
            )
        )
        # sudo: im_livechat.channel.member.history - who the visitor is, even
        # after they left the conversation.
        visitors = self.sudo().livechat_customer_history_ids
        partner = visitors.partner_id.filtered(lambda p: not p.is_public)[:1]
        if partner:
            return {"partner_id": partner.id}
        guest = visitors.guest_id[:1]
        email = answers["email"] or guest.email
        name = self._helpdesk_visitor_name(guest, email)
        # The guest proved nothing about the address they gave.
        values = self.env["helpdesk.ticket"]._prepare_visitor_customer_values(
            name, email, answers["phone"]
        )
        if not name and email:
            # Named by their email, as their new contact is.
            values["partner_name"] = email
        return values

    def _helpdesk_visitor_name(self, guest, email):
        """The name the guest gave (to the chatbot, or in the chat window):
        none when they gave an email only, as live chat calls every guest
        "Visitor"."""
        # sudo: chatbot.message - the visitor's answers to the chatbot.
        answers = self.sudo().chatbot_message_ids.filtered(
            lambda m: m.script_step_id.helpdesk_customer_name and m.user_raw_answer
        )
        for answer in answers.sorted("id", reverse=True)[:1]:
            name = " ".join(html2plaintext(answer.user_raw_answer).split())
            if name:
                return name[:VISITOR_NAME_MAX_LENGTH]
        default_names = {
            self.with_context(lang=lang).env._("Visitor")
            for lang in (guest.lang, "en_US")
            if lang
        }
        if guest.name and guest.name not in default_names:
            return guest.name
        # No name: the contact made from the email is named after it.
        return False if email else guest.name

    def _helpdesk_transcript(self, tz):
        """The conversation as the ticket's description: a line telling the
        time zone, then Odoo's channel history with the times in ``tz``."""
        self.ensure_one()
        zone = pytz.timezone(tz) if tz in pytz.all_timezones_set else pytz.utc
        heading = Markup("<p><em>%s</em></p>") % self.env._(
            "Live chat conversation %(name)s (times in %(tz)s)",
            name=self.name,
            tz=zone.zone,
        )
        return (
            heading
            + self.with_context(
                **{TRANSCRIPT_TZ_CONTEXT_KEY: zone.zone}
            )._get_channel_history()
        )

    # ------------------------------------------------------------
    # CHANNEL HISTORY (with the time zone of the transcript in context)
    # ------------------------------------------------------------

    def _get_channel_history(self):
        """Odoo's history, as ``/lead`` writes it, unless the context names
        the time zone of a helpdesk transcript: then every message is a block
        of its own with its author and time in that zone, its text and links
        to its attachments, and system notices (joins, leaves) are left out:
        they tell what happened around the conversation, not what was said."""
        tz = self.env.context.get(TRANSCRIPT_TZ_CONTEXT_KEY)
        if not tz:
            return super()._get_channel_history()
        self.ensure_one()
        zone = pytz.timezone(tz)
        # sudo: mail.message - the whole conversation, bot and visitor
        # included, whoever turns it into a ticket. Only what the transcript
        # shows is read, in one query.
        messages = (
            self.env["mail.message"]
            .sudo()
            .search_fetch(
                [
                    ("model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("message_type", "not in", SYSTEM_MESSAGE_TYPES),
                ],
                ["date", "body", "author_id", "author_guest_id", "email_from"],
                order="id",
            )
        )
        # One query for the access tokens of every file, not one per file.
        messages.attachment_ids.generate_access_token()
        # Formatted by hand rather than with format_datetime(), which looks up
        # the language again for each of the hundreds of messages.
        lang = get_lang(self.env)
        time_format = f"{lang.date_format} {lang.time_format}"
        # A conversation has a handful of authors and hundreds of messages,
        # often several in the same second.
        headings = {}
        times = {}
        line_break = Markup("<br/>")
        block_end = Markup("</p>")
        # Plain strings are escaped by the final join: visitors type what they
        # want.
        parts = []
        for message in messages:
            has_text = not is_html_empty(message.body)
            # Messages deleted by their author are empty, as in Odoo's
            # history; a message with text never is.
            if not has_text and message._is_empty():
                continue
            author = (message.author_id, message.author_guest_id, message.email_from)
            if author not in headings:
                headings[author] = Markup("<p><strong>%s</strong> ") % (
                    self._helpdesk_author_name(message)
                )
            if message.date not in times:
                times[message.date] = (
                    pytz.utc.localize(message.date)
                    .astimezone(zone)
                    .strftime(time_format)
                )
            parts.append(headings[author])
            parts.append(times[message.date])
            # One line per line of text: every tag costs when the description
            # gets sanitized, so blank lines go.
            if has_text:
                for line in html2plaintext(message.body).splitlines():
                    if line.strip():
                        parts.append(line_break)
                        parts.append(line)
            for attachment in message.attachment_ids:
                parts.append(line_break)
                parts.append(self._attachment_to_html(attachment))
            parts.append(block_end)
        return Markup("").join(parts)

    def _attachment_to_html(self, attachment):
        """In a helpdesk transcript, a download link that opens for the
        helpdesk, which is not a member of the conversation."""
        if not self.env.context.get(TRANSCRIPT_TZ_CONTEXT_KEY):
            return super()._attachment_to_html(attachment)
        return Markup(
            '<a href="/web/content/%s?access_token=%s&amp;download=true">%s</a>'
        ) % (attachment.id, attachment.generate_access_token()[0], attachment.name)

    def _helpdesk_author_name(self, message):
        # Odoo's history names authors the same way: their live chat username
        # first.
        author = message.author_id
        if author:
            return author.user_livechat_username or author.name
        return (
            message.author_guest_id.name or message.email_from or self.env._("Visitor")
        )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_view_helpdesk_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_intake.helpdesk_ticket_action"
        )
        action["domain"] = [("origin_channel_id", "=", self.id)]
        action["context"] = {"create": False}
        if self.helpdesk_ticket_count == 1:
            action.update(
                res_id=self.helpdesk_ticket_ids.id,
                view_mode="form",
                views=[(False, "form")],
            )
        return action
