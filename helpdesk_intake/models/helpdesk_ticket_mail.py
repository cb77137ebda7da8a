from datetime import UTC

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import (
    email_normalize,
    email_split,
    format_date,
    format_datetime,
    frozendict,
    html2plaintext,
    is_html_empty,
    ormcache,
)
from odoo.tools.mail import email_split_and_format

from ..tools import (
    AUTO_REPLY_HEADERS,
    auto_generated_reason,
    dmarc_result,
    forwarded_sender,
    header_addresses,
    header_text,
    is_auto_generated,
    is_automated_sender,
    is_list_message,
    raw_headers,
    raw_recipients,
    spam_verdict,
    subject_references,
    ticket_title,
)
from ..tools.mail_content import (
    expand_email,
    human_size,
    strip_quoted_history,
)

# Titles made from the first line of a body, when a message has no subject.
BODY_TITLE_MAX_LENGTH = 80
# Cc contacts an email may make followers: each gets portal access.
CC_FOLLOWERS_MAX = 10
# Intake traces longer than this lose their oldest entries.
INTAKE_TRACE_MAX_LENGTH = 20000
# System parameter naming the receiving mail server in the
# Authentication-Results headers it adds (their authserv-id).
AUTHSERV_ID_PARAM = "helpdesk_intake.authserv_id"
# Inline images up to this size are taken for logos of a signature: shown
# where the email puts them, but not listed among the files received.
SIGNATURE_IMAGE_MAX_SIZE = 16 * 1024
MEGABYTE = 1024 * 1024
# Key of the answers of _is_internal_sender in the cursor's cache, for the
# email being processed.
INTERNAL_SENDERS_CACHE_KEY = "helpdesk_intake.internal_senders"


class HelpdeskTicket(models.Model):
    """The emails of a ticket: the automated ones sent to the customer, the
    gateway's reading of those received (new ticket, reply, customer, title,
    Cc followers), where the gateway sends an email meant for the helpdesk
    (one ticket per email, replies by subject reference, replies to closed
    tickets) and the quarantine of the emails it fails on. Each step is a
    hook."""

    _inherit = "helpdesk.ticket"

    from_automated_email = fields.Boolean(
        string="From an Automatic Email",
        readonly=True,
        copy=False,
        help="The email that opened the ticket was written by a machine "
        "(auto-reply, notification, returning mail of the helpdesk): the "
        "helpdesk sends no automatic email about this ticket.",
    )
    intake_trace = fields.Text(
        readonly=True,
        copy=False,
        groups="helpdesk_intake.group_helpdesk_manager",
        help="Why each email of the ticket landed here: route, threading, "
        "closed-ticket policy, acknowledgement, loops and sender "
        "authentication.",
    )
    email_refused_files = fields.Json(
        copy=False,
        readonly=True,
        help="Files of the email that opened the ticket that were not kept, "
        "being over the team's maximum email size: name and size of each.",
    )
    email_files = fields.Json(
        compute="_compute_email_files",
        help="Files of the email that opened the ticket, kept and refused, "
        "each as name and size, for the acknowledgement.",
    )

    # ------------------------------------------------------------
    # AUTOMATED EMAILS
    # ------------------------------------------------------------

    def _request_acknowledgement(self):
        """Mark new tickets whose customer gets an acknowledgement. The email
        itself is written by a scheduled action woken right away: rendering
        and posting it would otherwise double the time the mail gateway, the
        website form or the live chat spend creating a ticket."""
        if self.env.context.get("helpdesk_auto_generated_email"):
            facts = self._helpdesk_email()
            reason = facts.get("auto_generated") or (
                facts.get("loop") and f"X-Loop: {facts['loop']}"
            )
            self._intake_trace_add(
                [
                    f"no acknowledgement: automatic email ({reason})"
                    if reason
                    else "no acknowledgement: unprocessable email"
                ]
            )
            return
        # The helpdesk's own addresses matter only to a ticket that could get
        # an acknowledgement: most live chat and form tickets of a team
        # without one, or without an address, need no alias lookup.
        own_addresses = (
            self._helpdesk_own_addresses()
            if any(
                ticket.partner_email
                and ticket.team_id.use_acknowledgement
                and ticket.team_id.ack_template_id
                for ticket in self
            )
            else set()
        )
        pending = self.browse()
        for ticket in self:
            refusal = ticket._acknowledgement_refusal(own_addresses)
            if refusal:
                ticket._intake_trace_add([f"no acknowledgement: {refusal}"])
            else:
                pending |= ticket
        pending._intake_trace_add(["acknowledgement requested"])
        if pending:
            pending.sudo().ack_pending = True
            self._acknowledgement_cron().sudo()._trigger()

    @api.model
    def _cron_send_acknowledgements(self, batch_size=200):
        tickets = self.sudo().search([("ack_pending", "=", True)], limit=batch_size)
        tickets.ack_pending = False
        Throttle = self.env["helpdesk.intake.throttle"]
        for ticket in tickets:
            team = ticket.team_id
            # Anyone can type anyone's address in a public form: the helpdesk
            # must not become a relay that floods one mailbox.
            if (
                team.use_acknowledgement
                and team.ack_template_id
                and Throttle._acquire(
                    [("ack", email_normalize(ticket.partner_email or ""))]
                )
            ):
                ticket._post_automated_email(team.ack_template_id)
        if len(tickets) == batch_size:
            self._acknowledgement_cron().sudo()._trigger()

    @api.model
    def _acknowledgement_cron(self):
        # the cached id, without the existence check of env.ref: the
        # scheduled action is data of this module, and triggering it is part
        # of every new ticket
        return self.env["ir.cron"].browse(
            self.env["ir.model.data"]._xmlid_to_res_id(
                "helpdesk_intake.ir_cron_send_acknowledgements"
            )
        )

    def _acknowledgement_refusal(self, own_addresses=None):
        """Why the ticket gets no acknowledgement, or None when it gets one."""
        self.ensure_one()
        if not self.team_id.use_acknowledgement or not self.team_id.ack_template_id:
            return "off for the team"
        return self._automated_email_refusal(own_addresses)

    def _automated_email_refusal(self, own_addresses=None):
        """Why the customer's address must not be answered automatically (it
        is no person's mailbox, or answering risks a mail loop), or None."""
        self.ensure_one()
        if self.is_spam:
            return "the ticket is kept in Spam"
        if self.from_automated_email:
            return "the ticket comes from an automatic email"
        email = email_normalize(self.partner_email or "")
        if not email:
            return "no customer address"
        if is_automated_sender(email):
            return f"{email} is a robot address"
        if own_addresses is None:
            own_addresses = self._helpdesk_own_addresses()
        if email in own_addresses:
            return f"{email} is an address of the helpdesk"
        return None

    def _accepts_automated_email(self, own_addresses=None):
        """Whether the customer's address is a person's mailbox that may be
        answered automatically without risking a mail loop."""
        return not self._automated_email_refusal(own_addresses)

    @api.model
    def _helpdesk_own_addresses(self):
        """Addresses of the helpdesk itself: aliases, catchall and bounce."""
        return self._helpdesk_own_addresses_cached()

    @api.model
    @ormcache()
    def _helpdesk_own_addresses_cached(self):
        # Read for every email the gateway receives, changed when an alias
        # or an alias domain is: mail.alias and mail.alias.domain clear it.
        aliases = (
            self.env["mail.alias"]
            .sudo()
            .search([("alias_model_id.model", "=", self._name)])
        )
        # alias domains are a handful per database
        domains = self.env["mail.alias.domain"].sudo().search([], limit=None)
        return frozenset(
            email_normalize(address)
            for address in aliases.mapped("alias_full_name")
            + domains.mapped("catchall_email")
            + domains.mapped("bounce_email")
            if address
        )

    def _post_automated_email(self, template):
        """Post ``template`` on the ticket and email it to the customer, marked
        as an automatic reply; the alias in X-Loop tells the helpdesk its own
        email when it comes back."""
        self.ensure_one()
        ticket = self.sudo()
        if not ticket.partner_id:
            return
        headers = dict(AUTO_REPLY_HEADERS)
        if ticket.team_id.alias_email:
            headers["X-Loop"] = ticket.team_id.alias_email
        template = template.sudo()
        subject = template._render_field("subject", ticket.ids, compute_lang=True)[
            ticket.id
        ]
        body = template._render_field("body_html", ticket.ids, compute_lang=True)[
            ticket.id
        ]
        # Queued rather than sent in the transaction that creates the ticket:
        # visitors and the mail gateway do not wait for the mail server, and
        # the triggered mail queue sends it right after.
        ticket.with_context(mail_notify_force_send=False).message_post(
            body=body,
            subject=subject,
            author_id=self.env.ref("base.partner_root").id,
            partner_ids=ticket.partner_id.ids,
            message_type="auto_comment",
            subtype_xmlid="mail.mt_comment",
            email_layout_xmlid="mail.mail_notification_light",
            mail_headers=headers,
            notify_skip_followers=True,
        )
        self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger()

    def _track_template(self, changes):
        res = super()._track_template(changes)
        ticket = self[0]
        if "stage_id" in changes and ticket.stage_id.template_id:
            res["stage_id"] = (ticket.stage_id.template_id, {})
        return res

    def _message_track_post_template(self, changes):
        """The stage email of ``_track_template``, sent once per real stage
        change (tracking compares values), goes out the way the helpdesk's
        automated emails do: to the customer only, as an automatic reply,
        queued."""
        if not self or not changes or "stage_id" not in changes:
            return super()._message_track_post_template(changes)
        template = self._track_template(changes).get("stage_id", (False,))[0]
        super()._message_track_post_template(
            [fname for fname in changes if fname != "stage_id"]
        )
        if template:
            own_addresses = self._helpdesk_own_addresses()
            # the rules of the acknowledgement: no stage email to robots,
            # to the helpdesk itself, nor about tickets robots opened
            for ticket in self.filtered(
                lambda ticket: ticket._accepts_automated_email(own_addresses)
            ):
                ticket._post_automated_email(template)
        return True

    def _track_post_template_finalize(self):
        # a new ticket gets its acknowledgement, not the email of its first
        # stage
        key = f"mail.tracking.create.{self._name}.{self.id}"
        data = self.env.cr.precommit.data
        if data.get(key):
            data[key] = [fname for fname in data[key] if fname != "stage_id"]
        return super()._track_post_template_finalize()

    def _notify_get_recipients_groups(self, message, model_description, msg_vals=False):
        groups = super()._notify_get_recipients_groups(
            message, model_description, msg_vals=msg_vals
        )
        if self and self.team_id.privacy_visibility != "portal":
            # the team keeps its tickets out of the portal: the customer and
            # portal followers get the emails without a link they cannot open
            for name, _matches, data in groups:
                if name in ("portal_customer", "portal"):
                    data["has_button_access"] = False
        return groups

    # ------------------------------------------------------------
    # MAIL GATEWAY
    # ------------------------------------------------------------

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        facts = self._helpdesk_email()
        trace = list(self.env.context.get("helpdesk_intake_trace", ()))
        values = {
            "intake_channel": "email",
            "email_message_id": msg_dict.get("message_id") or False,
            **(custom_values or {}),
        }
        if self.env.context.get("helpdesk_auto_generated_email"):
            values["from_automated_email"] = True
        team = self.env["helpdesk.team"].sudo().browse(values.get("team_id")).exists()
        author = self.env["res.partner"].browse(msg_dict.get("author_id")).exists()
        reply_to_contact = self.browse()
        if facts.get("reply_to"):
            reply_to_contact = self._partner_find_from_emails_single(
                [facts["reply_to"]], no_create=True
            )
        customer = self._customer_from_email(msg_dict, team, trace, author=author)
        # a sender the receiving server could not authenticate proves
        # nothing by writing with the address of an existing contact, nor
        # does anyone by naming one in Reply-To
        if customer == author and author and not self._sender_trusted(team):
            values["customer_unverified"] = True
            trace.append(
                f"sender not authenticated (DMARC: {facts.get('dmarc') or 'none'}): "
                "customer unverified"
            )
        elif customer and customer == reply_to_contact and customer != author:
            values["customer_unverified"] = True
            trace.append("existing contact named by Reply-To: customer unverified")
        values.setdefault("partner_id", customer.id)
        # The gateway sets the customer email, which keeps the ORM from
        # computing the other customer fields: give them all.
        values.setdefault("partner_name", customer.name)
        values.setdefault("partner_phone", customer.phone)
        values.setdefault("name", self._title_from_email(msg_dict))
        values.update(self._intake_spam_values(msg_dict, values, team=team))
        if values.get("spam_reason"):
            trace.append(f"kept in Spam: {values['spam_reason']}")
        values["intake_trace"] = self._intake_trace_entry(msg_dict, trace)
        if (
            not author
            and customer
            and customer.email_normalized == email_normalize(msg_dict.get("email_from"))
        ):
            # the contact just made for the sender authors the email the
            # gateway posts next, which need not search it again
            msg_dict["author_id"] = customer.id
        msg_dict = dict(
            msg_dict, email_from=customer.email or msg_dict.get("email_from")
        )
        ticket = super(
            HelpdeskTicket, self.with_context(default_user_id=False)
        ).message_new(msg_dict, custom_values=values)
        cc_partners = ticket._cc_followers(msg_dict, author)
        if ticket.customer_unverified:
            customer = customer.browse()
        # message_subscribe, without its searches of the contacts found above
        followers = (customer | cc_partners).filtered("active")
        ticket._message_subscribe(
            followers.ids, customer_ids=followers.filtered("partner_share").ids
        )
        return ticket

    def _cc_followers(self, msg_dict, author):
        """Existing contacts in Cc of the email that opened the ticket who
        follow it, and so read it in their portal. Anybody can write to an
        alias and Cc anyone: only a sender the helpdesk knows (a user, or a
        follower of the team) brings a few of them; a stranger only those who
        already follow the team."""
        self.ensure_one()
        cc_partners = self._partner_find_from_emails_single(
            email_split(msg_dict.get("cc") or ""), no_create=True
        )
        team_followers = self.team_id.sudo().message_partner_ids
        if not (author.user_ids or author & team_followers):
            cc_partners &= team_followers
        return cc_partners[:CC_FOLLOWERS_MAX]

    def message_update(self, msg_dict, update_vals=None):
        trace = list(self.env.context.get("helpdesk_intake_trace", ()))
        automatic = self.env.context.get("helpdesk_auto_generated_email")
        internal = self._is_internal_sender(msg_dict)
        for ticket in self.filtered("is_closed"):
            if automatic:
                # an out-of-office answering the "solved" email: kept for the
                # record, neither a reopening nor a message to the followers
                msg_dict["is_internal"] = True
                trace.append(
                    f"closed ticket #{ticket.ref}: automatic email logged as a note, "
                    "not reopened"
                )
            elif internal:
                trace.append(f"closed ticket #{ticket.ref}: employee, stays closed")
            elif ticket.team_id.reply_to_closed == "reopen":
                open_stage = ticket.team_id.stage_ids.filtered(
                    lambda stage: not stage.fold
                )[:1]
                if open_stage:
                    ticket.stage_id = open_stage
                    trace.append(
                        f"closed ticket #{ticket.ref}: reopened in {open_stage.name} "
                        "(team policy)"
                    )
        self._intake_trace_add(trace, msg_dict)
        return super().message_update(msg_dict, update_vals=update_vals)

    @api.model
    def _title_from_email(self, msg_dict):
        subject = ticket_title(msg_dict.get("subject"))
        if subject:
            return subject
        body_lines = html2plaintext(msg_dict.get("body") or "").strip().splitlines()
        first_line = body_lines[0].strip() if body_lines else ""
        if first_line:
            return ticket_title(first_line, BODY_TITLE_MAX_LENGTH)
        return self.env._(
            "Email from %(sender)s", sender=msg_dict.get("email_from") or "?"
        )

    @api.model
    def _customer_from_email(self, msg_dict, team=None, trace=None, author=None):
        """The partner the ticket is about: the sender; when an employee
        forwards a customer's email, the original sender of the forward
        (provided the sender is trusted, see ``_sender_trusted``); when the
        email names another person's mailbox in Reply-To, that one.
        ``trace`` receives the reasons; ``author``: the existing partner of
        ``msg_dict["author_id"]``, when the caller checked it already."""
        trace = [] if trace is None else trace
        Thread = self.env["mail.thread"]
        if author is None:
            author = self.env["res.partner"].browse(msg_dict.get("author_id")).exists()
        if self._is_internal_sender(msg_dict):
            forwarded_from = self._forwarded_sender(msg_dict.get("body") or "")
            if forwarded_from and not self._sender_trusted(team):
                trace.append("forward not re-attributed: sender not authenticated")
            elif forwarded_from:
                trace.append(
                    f"customer: original sender of the forward {forwarded_from}"
                )
                return Thread._partner_find_from_emails_single(
                    [forwarded_from], no_create=False
                )
        facts = self._helpdesk_email()
        if facts.get("reply_to_ignored"):
            trace.append(facts["reply_to_ignored"])
        if facts.get("reply_to"):
            trace.append(f"customer: Reply-To {facts['reply_to']}")
            return Thread._partner_find_from_emails_single(
                [facts["reply_to"]], no_create=False
            )
        if author:
            return author
        if not msg_dict.get("email_from"):
            return author
        return Thread._partner_find_from_emails_single(
            [msg_dict["email_from"]], no_create=False
        )

    @api.model
    def _forwarded_sender(self, body):
        """Sender of the message quoted by a forward (hook around
        ``tools.forwarded_sender``)."""
        return forwarded_sender(body)

    def _message_post_after_hook(self, message, msg_vals):
        # The first email of a ticket is its description (with inline images
        # already turned into attachments by the gateway): what the customer
        # wrote this time, without the quoted history and signature the
        # chatter keeps. Forwards by employees are the customer's words and
        # stay whole.
        if (
            len(self) == 1
            and self.intake_channel == "email"
            and is_html_empty(self.description)
            and msg_vals.get("message_type") == "email"
            and message.subtype_id == self._creation_subtype()
            and msg_vals.get("body")
        ):
            description = msg_vals["body"]
            if not self._is_internal_partner(message.author_id):
                cleaned = strip_quoted_history(description)
                if not is_html_empty(cleaned):
                    description = cleaned
            self.description = description
        return super()._message_post_after_hook(message, msg_vals)

    @api.model
    def _is_internal_sender(self, message_dict):
        # Asked several times per email (routing, customer, blocked senders,
        # description): answered once per author or address while the
        # gateway processes one email (see mail.thread.message_process).
        author_id = message_dict.get("author_id")
        if not author_id and "author_id" in message_dict:
            # the gateway searched the sender's contact already (see
            # _message_parse_post_process) and found none
            return False
        key = (
            ("author", author_id)
            if author_id
            else ("email", message_dict.get("email_from"))
        )
        known = self.env.cr.cache.setdefault(INTERNAL_SENDERS_CACHE_KEY, {})
        if key not in known:
            author = self.env["res.partner"].browse(author_id).exists()
            if not author and message_dict.get("email_from"):
                author = self._partner_find_from_emails_single(
                    [message_dict["email_from"]], no_create=True
                )
            known[key] = self._is_internal_partner(author)
        return known[key]

    @api.model
    def _is_internal_partner(self, partner):
        return bool(partner.user_ids.filtered(lambda user: not user.share))

    # ------------------------------------------------------------
    # ROUTING AND QUARANTINE (called by mail.thread, models/mail_thread.py)
    # ------------------------------------------------------------

    @api.model
    def _helpdesk_adjust_routes(self, message_dict, routes, recipients, message=None):
        """Apply the helpdesk rules to the routes found by the mail gateway:
        one ticket per email whatever the number of team aliases addressed
        (``recipients``: the To then Cc addresses, in the order written),
        replies without threading headers matched by the reference in their
        subject, and replies to closed tickets handled per team. What the
        helpdesk reads in the headers of ``message`` and the reasons of its
        choices go along with ``message_dict`` to ``_helpdesk_intake_context``."""
        if message is not None:
            message_dict["helpdesk_email"] = self._helpdesk_email_facts(message)
        trace = message_dict.setdefault("helpdesk_trace", [])
        facts = message_dict.get("helpdesk_email") or {}
        if facts.get("loop"):
            trace.append(f"loop: X-Loop names {facts['loop']}, an address of ours")
        if facts.get("auto_generated"):
            trace.append(f"automatic email: {facts['auto_generated']}")
        routes = self._routes_one_new_ticket(routes, recipients, trace)
        routes = [
            self.with_context(helpdesk_email=facts)._route_for_reply(
                message_dict, route, trace
            )
            for route in routes
        ]
        for model, thread_id, _values, _uid, alias in routes:
            if model != self._name:
                continue
            if thread_id:
                trace.append(f"route: ticket #{self.sudo().browse(thread_id).ref}")
            elif alias:
                trace.append(f"route: new ticket, alias {alias.alias_full_name}")
            else:
                trace.append("route: new ticket, default of the incoming mail server")
        return routes

    @api.model
    def _routes_one_new_ticket(self, routes, recipients, trace=None):
        recipients = [email_normalize(address) for address in recipients]

        def alias_email(route):
            return email_normalize(route[4].alias_full_name or "") if route[4] else ""

        def position(route):
            return (
                recipients.index(alias_email(route))
                if alias_email(route) in recipients
                else len(recipients)
            )

        new_ticket_routes = [r for r in routes if r[0] == self._name and not r[1]]
        if len(new_ticket_routes) < 2:
            return routes
        keep = min(new_ticket_routes, key=position)
        if trace is not None:
            trace.append(
                "several team aliases addressed ("
                + ", ".join(
                    alias_email(r) or "?"
                    for r in sorted(new_ticket_routes, key=position)
                )
                + f"): {alias_email(keep)} wins, first in To then Cc"
            )
        return [r for r in routes if r is keep or r not in new_ticket_routes]

    @api.model
    def _route_for_reply(self, message_dict, route, trace=None):
        trace = [] if trace is None else trace
        model, thread_id, custom_values, user_id, alias = route
        if model != self._name:
            return route
        if thread_id:
            trace.append("threading: email headers (In-Reply-To, References)")
        else:
            ticket = self._ticket_from_subject_reference(message_dict, trace)
            if not ticket:
                return route
            thread_id = ticket.id
            trace.append(f"threading: #{ticket.ref} in the subject")
        ticket = self.sudo().browse(thread_id)
        if (
            ticket.is_closed
            and ticket.team_id.reply_to_closed == "new"
            and not self.env.context.get("helpdesk_email", {}).get("auto_generated")
            and not self.env.context.get("helpdesk_email", {}).get("loop")
            and not self._is_internal_sender(message_dict)
        ):
            trace.append(f"closed ticket #{ticket.ref}: follow-up ticket (team policy)")
            values = {"team_id": ticket.team_id.id, "origin_ticket_id": ticket.id}
            return (model, False, values, user_id, alias)
        return (model, thread_id, custom_values, user_id, alias)

    @api.model
    def _ticket_from_subject_reference(self, message_dict, trace=None):
        """Ticket whose ``#<ref>`` appears in the subject, provided the sender is
        its customer or one of its followers: guessing a number is not enough
        to write into someone else's ticket; nor is writing with their
        address when the receiving server could not authenticate it (see
        ``_sender_trusted``)."""
        trace = [] if trace is None else trace
        refs = subject_references(message_dict.get("subject"))
        sender = email_normalize(message_dict.get("email_from") or "")
        if not refs or not sender:
            return self.browse()
        for ticket in self.sudo().search([("ref", "in", refs)]):
            allowed = ticket.message_partner_ids.mapped("email_normalized")
            if sender not in allowed and sender != email_normalize(
                ticket.partner_email or ""
            ):
                trace.append(
                    f"#{ticket.ref} in the subject ignored: sender neither its "
                    "customer nor a follower"
                )
                continue
            if not self._sender_trusted(ticket.team_id):
                trace.append(
                    f"#{ticket.ref} in the subject ignored: sender not authenticated"
                )
                return self.browse()
            return ticket
        return self.browse()

    # ------------------------------------------------------------
    # HEADERS, SENDER AUTHENTICATION AND INTAKE TRACE
    # ------------------------------------------------------------

    @api.model
    def _helpdesk_email_facts(self, message):
        """What the helpdesk reads in the headers of an incoming email.message:
        whether a machine wrote it (and which header says so), whether it is
        the helpdesk's own email coming back (X-Loop), the Reply-To to answer
        instead of the sender, and the DMARC verdict of the receiving mail
        server."""
        own_addresses = self._helpdesk_own_addresses()
        loop = next(
            (a for a in header_addresses(message, "X-Loop") if a in own_addresses), ""
        )
        senders = header_addresses(message, "From")
        reply_to, reply_to_ignored = "", ""
        formatted = email_split_and_format(
            ", ".join(header_text(v) for v in message.get_all("Reply-To") or ())
        )
        address = email_normalize(formatted[0]) if formatted else ""
        if address and address not in senders:
            if is_list_message(message):
                reply_to_ignored = f"Reply-To {address} ignored: mailing list"
            elif is_automated_sender(address):
                reply_to_ignored = f"Reply-To {address} ignored: robot address"
            elif address in own_addresses:
                reply_to_ignored = f"Reply-To {address} ignored: address of ours"
            else:
                reply_to = formatted[0]
        authserv_id = (
            self.env["ir.config_parameter"].sudo().get_param(AUTHSERV_ID_PARAM)
        )
        return frozendict(
            auto_generated=auto_generated_reason(message),
            loop=loop,
            reply_to=reply_to,
            reply_to_ignored=reply_to_ignored,
            dmarc=dmarc_result(message, authserv_id),
        )

    @api.model
    def _helpdesk_intake_context(self, message, message_dict):
        """Context of the processing of an incoming email: what its headers
        say, and the reasons of its routing (taken out of ``message_dict``,
        which becomes the posted message)."""
        facts = message_dict.pop("helpdesk_email", None)
        if facts is None:
            # no route to a ticket (see message_route): only the robot
            # headers matter
            return {"helpdesk_auto_generated_email": is_auto_generated(message)}
        trace = tuple(message_dict.pop("helpdesk_trace", ()))
        return {
            "helpdesk_email": facts,
            "helpdesk_intake_trace": trace,
            "helpdesk_auto_generated_email": bool(
                facts["auto_generated"] or facts["loop"]
            ),
        }

    @api.model
    def _helpdesk_email(self):
        """What the headers of the email being processed say (see
        ``_helpdesk_email_facts``); empty outside the mail gateway."""
        return self.env.context.get("helpdesk_email") or {}

    @api.model
    def _sender_trusted(self, team):
        """Whether the sender of the email being processed may be taken at
        their word (their address threads by ``#ref`` and re-attributes
        forwards): the receiving mail server's DMARC check passed, or it
        gave no result and ``team`` trusts such emails."""
        dmarc = self._helpdesk_email().get("dmarc")
        if dmarc == "pass":
            return True
        if dmarc == "fail":
            return False
        return not team or team.sudo().trust_unauthenticated_email

    @api.model
    def _intake_trace_entry(self, msg_dict, lines):
        when = fields.Datetime.now().replace(microsecond=0)
        entry = f"{when} {msg_dict.get('message_id') or '?'}"
        return "\n".join([entry, *(f"  {line}" for line in lines)])

    def _intake_trace_add(self, lines, msg_dict=None):
        """Add ``lines`` to the intake trace of the tickets from emails: as a
        new entry for the email ``msg_dict``, else to the last entry."""
        if not lines:
            return
        if msg_dict is not None:
            text = self._intake_trace_entry(msg_dict, lines)
        else:
            text = "\n".join(f"  {line}" for line in lines)
        for ticket in self.sudo().filtered(lambda t: t.intake_channel == "email"):
            trace = f"{ticket.intake_trace}\n{text}" if ticket.intake_trace else text
            ticket.intake_trace = trace[-INTAKE_TRACE_MAX_LENGTH:]

    @api.model
    def _team_from_raw_email(self, raw):
        """The team whose alias a raw email is addressed to, read leniently so
        that it works on emails the gateway cannot parse."""
        recipients = raw_recipients(raw_headers(raw))
        if not recipients:
            return self.env["helpdesk.team"]
        aliases = (
            self.env["mail.alias"]
            .sudo()
            .search(
                [
                    ("alias_model_id.model", "=", self._name),
                    ("alias_parent_model_id.model", "=", "helpdesk.team"),
                    "|",
                    ("alias_full_name", "in", recipients),
                    "&",
                    ("alias_incoming_local", "=", True),
                    ("alias_name", "in", [email.split("@")[0] for email in recipients]),
                ]
            )
        )
        return (
            self.env["helpdesk.team"]
            .sudo()
            .browse(aliases[:1].alias_parent_thread_id)
            .exists()
        )

    @api.model
    def _quarantine_email(self, team, raw, error):
        """Keep an email the gateway failed on as a ticket of ``team``."""
        headers = raw_headers(raw)
        # PostgreSQL stores no NUL character, which broken emails may hold
        subject = header_text(headers.get("Subject", "")).replace("\x00", "").strip()
        senders = email_split(header_text(headers.get("From", "")).replace("\x00", ""))
        ticket = self.with_context(helpdesk_auto_generated_email=True).create(
            {
                "name": self.env._(
                    "Unprocessable email: %(subject)s", subject=subject or "?"
                )[:200],
                "team_id": team.id,
                "intake_channel": "email",
                "is_unprocessable": True,
                "email_message_id": (headers.get("Message-ID") or "").strip() or False,
                "partner_email": senders[0] if senders else False,
            }
        )
        ticket.original_email_id = self.env["ir.attachment"].create(
            {
                "name": "original.eml",
                "raw": raw,
                "mimetype": "message/rfc822",
                "res_model": self._name,
                "res_id": ticket.id,
            }
        )
        ticket.message_post(
            body=Markup("<p>%s</p><p><code>%s</code></p>")
            % (
                self.env._(
                    "The mail gateway could not process this email. The original is "
                    "attached; an administrator can reprocess it once the cause is "
                    "fixed."
                ),
                f"{type(error).__name__}: {error}",
            ),
            attachment_ids=ticket.original_email_id.ids,
            subtype_xmlid="mail.mt_note",
        )
        return ticket

    def action_reprocess_email(self):
        """Run an unprocessable email through the gateway again; on success
        the placeholder ticket is archived."""
        self.ensure_one()
        if not self.env.user.has_group("helpdesk_intake.group_helpdesk_manager"):
            raise UserError(
                self.env._("Only helpdesk administrators can reprocess emails.")
            )
        ticket = self.sudo()
        message_id = ticket.email_message_id
        ticket.email_message_id = False
        try:
            with self.env.cr.savepoint():
                self.env["mail.thread"].sudo().with_context(
                    helpdesk_no_quarantine=True
                ).message_process(False, ticket.original_email_id.raw)
        except Exception as error:
            ticket.email_message_id = message_id
            raise UserError(
                self.env._(
                    "The email still cannot be processed: %(error)s", error=error
                )
            ) from error
        ticket.message_post(body=self.env._("The email was reprocessed successfully."))
        ticket.action_archive()
        return True

    # ------------------------------------------------------------
    # SPAM AND BLOCKED SENDERS
    # ------------------------------------------------------------

    @api.model
    def _intake_spam_values(self, msg_dict, values, team=None):
        """Values that keep the ticket of a new email in Spam (see
        ``is_spam``) when it comes from a blocked sender or the mail server
        flagged it; empty otherwise. The verdict headers are those of the
        email being processed (``helpdesk_spam_headers`` in the context, set
        by the gateway). ``team``: the existing team of ``values``, when the
        caller checked it already."""
        if team is None:
            team = self.env["helpdesk.team"].browse(values.get("team_id")).exists()
        team = team or self._default_team_id()
        if not team:
            return {}
        reason = self._intake_blocked_reason(msg_dict, team)
        if not reason and team.use_spam_headers:
            reason = spam_verdict(
                self.env.context.get("helpdesk_spam_headers") or (),
                team.spam_score_threshold,
            )
        return {"is_spam": True, "spam_reason": reason} if reason else {}

    @api.model
    def _intake_blocked_reason(self, msg_dict, team):
        """Why the sender of ``msg_dict`` is blocked for ``team``, or None.
        Employees are never blocked: they forward their customers' emails."""
        if self._is_internal_sender(msg_dict):
            return None
        email = email_normalize(msg_dict.get("email_from") or "")
        blocked = self.env["helpdesk.blocked.sender"].sudo()._blocking(email, team)
        if not blocked:
            return None
        return self.env._("Blocked sender: %(sender)s", sender=blocked.sender)

    def _notify_get_recipients(self, message, msg_vals=False, **kwargs):
        # A ticket in Spam notifies nobody: neither the team's followers nor
        # the Cc of an email that may well be spam, nor its sender.
        if len(self) == 1 and self.sudo().is_spam:
            return []
        return super()._notify_get_recipients(message, msg_vals=msg_vals, **kwargs)

    def action_release_spam(self):
        """Take tickets out of Spam: they then get what every new ticket gets,
        an assignee, SLA deadlines and an acknowledgement."""
        tickets = self.filtered("is_spam")
        tickets.write({"is_spam": False, "spam_reason": False})
        unassigned = tickets.filtered(lambda ticket: not ticket.user_id)
        vals_list = [{"team_id": ticket.team_id.id} for ticket in unassigned]
        self._prepare_assignment(vals_list)
        for ticket, vals in zip(unassigned, vals_list, strict=True):
            if vals.get("user_id"):
                ticket.user_id = vals["user_id"]
        tickets._sla_apply()
        tickets._request_acknowledgement()
        return True

    def action_block_sender(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Block Sender"),
            "res_model": "helpdesk.block.sender",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id},
        }

    # ------------------------------------------------------------
    # CONTENT OF EMAILS
    # ------------------------------------------------------------

    def _compute_email_files(self):
        for ticket in self:
            first_email = ticket.sudo().message_ids.filtered(
                lambda message: message.message_type == "email"
            )[-1:]
            kept = [
                {"name": attachment.name, "size": human_size(attachment.file_size)}
                for attachment in first_email.attachment_ids.sorted("id")
                if not _is_signature_image(attachment, first_email.body)
            ]
            refused = [
                {"name": item["name"], "size": human_size(item["size"])}
                for item in ticket.email_refused_files or []
            ]
            ticket.email_files = {"kept": kept, "refused": refused}

    # ------------------------------------------------------------
    # READING THE EMAIL (called by mail.thread, models/mail_thread.py)
    # ------------------------------------------------------------

    @api.model
    def _helpdesk_read_content(self, message, message_dict, routes):
        """Rewrite the body and files of ``message_dict`` from what
        ``message`` really carries, and apply the size limit of the team
        addressed. Return the routes (new tickets remember their refused
        files) and the files refused, as ``{"name", "size"}`` dicts."""
        team = self._helpdesk_route_team(routes)
        expanded = expand_email(message)
        if expanded.changed:
            payload = self.env["mail.thread"]._message_parse_extract_payload(
                expanded.message, dict(message_dict)
            )
            originals = [
                attachment
                for attachment in message_dict.get("attachments") or []
                if attachment.fname == "original_email.eml"
            ]
            message_dict["body"] = payload["body"]
            message_dict["attachments"] = originals + payload["attachments"]
        notices = self._helpdesk_content_notices(expanded, team)
        refused = self._helpdesk_apply_size_limit(message_dict, team)
        if refused:
            notices.append(
                self.env._(
                    "This email is larger than the %(limit)s MB the team accepts: "
                    "some of its files were not kept.",
                    limit=team.max_email_size,
                )
            )
        header = Markup("").join(
            Markup("<p><em>%s</em></p>") % notice for notice in notices
        ) + self._helpdesk_events_html(expanded.events, team)
        if header:
            message_dict["body"] = header + Markup(message_dict.get("body") or "")
        new_ticket_values = {}
        if refused:
            new_ticket_values["email_refused_files"] = refused
        if expanded.forwarded is not None and self._is_internal_sender(message_dict):
            # an employee's forward: the description is the customer's email
            new_ticket_values["description"] = self.env[
                "mail.thread"
            ]._message_parse_extract_payload(expanded.forwarded, {})["body"]
        if new_ticket_values:
            routes = [
                (model, thread_id, dict(values or {}, **new_ticket_values), *rest)
                if model == self._name and not thread_id
                else (model, thread_id, values, *rest)
                for model, thread_id, values, *rest in routes
            ]
        return routes, refused

    @api.model
    def _helpdesk_route_team(self, routes):
        for model, thread_id, values, *_rest in routes:
            if model != self._name:
                continue
            if thread_id:
                return self.sudo().browse(thread_id).team_id
            team_id = (values or {}).get("team_id")
            if team_id:
                return self.env["helpdesk.team"].sudo().browse(team_id)
        return self.env["helpdesk.team"]

    @api.model
    def _helpdesk_content_notices(self, expanded, team):
        notices = []
        if expanded.encrypted:
            notices.append(
                self.env._(
                    "Encrypted email: cannot be read without the key. "
                    "The original is attached."
                )
            )
        if expanded.unread_tnef:
            notices.append(
                self.env._(
                    "This email was sent by Outlook in a format (winmail.dat) "
                    "whose text could not be read here; the original is attached."
                )
            )
        return notices

    @api.model
    def _helpdesk_apply_size_limit(self, message_dict, team):
        """Drop the files that make the email exceed the team's maximum
        size, in the order the email gives them; return them."""
        if not team or not team.max_email_size:
            return []
        limit = team.max_email_size * MEGABYTE
        attachments = message_dict.get("attachments") or []
        used = len(message_dict.get("body") or "")
        sizes = [_content_size(attachment.content) for attachment in attachments]
        if used + sum(sizes) <= limit:
            return []
        kept, refused = [], []
        for attachment, size in zip(attachments, sizes, strict=True):
            if used + size <= limit:
                used += size
                kept.append(attachment)
            else:
                refused.append({"name": attachment.fname, "size": size})
        message_dict["attachments"] = kept
        return refused

    @api.model
    def _helpdesk_events_html(self, events, team):
        """The meetings of an invitation, in the team's time zone."""
        if not events:
            return Markup("")
        tz = (
            team.resource_calendar_id.tz
            or self.env.company.partner_id.tz
            or self.env.user.tz
            or "UTC"
        )
        rows = []
        for event in events:
            title = (
                self.env._("Meeting cancelled")
                if event["method"] == "CANCEL"
                else self.env._("Meeting invitation")
            )
            details = [
                (self.env._("Subject"), event["summary"]),
                (self.env._("When"), self._helpdesk_event_time(event, tz)),
                (self.env._("Organizer"), event["organizer"]),
                (self.env._("Location"), event["location"]),
            ]
            rows.append(
                Markup("<p><strong>%s</strong></p><ul>%s</ul>")
                % (
                    title,
                    Markup("").join(
                        Markup("<li>%s: %s</li>") % (label, value)
                        for label, value in details
                        if value
                    ),
                )
            )
        return Markup("").join(rows)

    def _helpdesk_event_time(self, event, tz):
        start, end = event["start"], event["end"]
        if start is None:
            return ""
        if not hasattr(start, "hour"):  # all-day meeting
            return format_date(self.env, start)
        if start.tzinfo is not None:
            # format_datetime localizes naive UTC datetimes
            start = start.astimezone(UTC).replace(tzinfo=None)
            end = end and end.astimezone(UTC).replace(tzinfo=None)
        else:
            # floating time: the time the team reads, as written
            tz = "UTC"
        text = format_datetime(self.env, start, tz=tz, dt_format="medium")
        if end and hasattr(end, "hour"):
            text += " - " + format_datetime(self.env, end, tz=tz, dt_format="short")
        return f"{text} ({tz})"

    def _helpdesk_note_refused_files(self, refused):
        """Tell the agents which files the size limit kept out."""
        for ticket in self:
            ticket.sudo().message_post(
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (
                    self.env._(
                        "These files of the email were not kept, being over the "
                        "team's maximum email size of %(limit)s MB:",
                        limit=ticket.team_id.max_email_size,
                    ),
                    Markup("").join(
                        Markup("<li>%s (%s)</li>")
                        % (item["name"], human_size(item["size"]))
                        for item in refused
                    ),
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _get_mail_thread_data_attachments(self):
        # Logos of email signatures belong to the text that shows them, not
        # to the files of the ticket.
        attachments = super()._get_mail_thread_data_attachments()
        bodies = "".join(
            self.sudo()
            .message_ids.filtered(lambda message: message.message_type == "email")
            .mapped("body")
        )
        return attachments.filtered(
            lambda attachment: not _is_signature_image(attachment, bodies)
        )


def _content_size(content):
    if isinstance(content, str):
        return len(content.encode("utf-8", "replace"))
    if isinstance(content, bytes):
        return len(content)
    return len(str(content))


def _is_signature_image(attachment, body):
    return (
        (attachment.mimetype or "").startswith("image/")
        and attachment.file_size <= SIGNATURE_IMAGE_MAX_SIZE
        and f"/web/image/{attachment.id}" in (body or "")
    )
