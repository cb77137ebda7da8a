from markupsafe import Markup

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize, email_split, html2plaintext, is_html_empty

from ..tools import (
    AUTO_REPLY_HEADERS,
    forwarded_sender,
    header_text,
    is_automated_sender,
    raw_headers,
    raw_recipients,
    subject_references,
    ticket_title,
)

# Titles made from the first line of a body, when a message has no subject.
BODY_TITLE_MAX_LENGTH = 80
# Cc contacts an email may make followers: each gets portal access.
CC_FOLLOWERS_MAX = 10


class HelpdeskTicket(models.Model):
    """The emails of a ticket: the automated ones sent to the customer, the
    gateway's reading of those received (new ticket, reply, customer, title,
    Cc followers), where the gateway sends an email meant for the helpdesk
    (one ticket per email, replies by subject reference, replies to closed
    tickets) and the quarantine of the emails it fails on. Each step is a
    hook."""

    _inherit = "helpdesk.ticket"

    # ------------------------------------------------------------
    # AUTOMATED EMAILS
    # ------------------------------------------------------------

    def _request_acknowledgement(self):
        """Mark new tickets whose customer gets an acknowledgement. The email
        itself is written by a scheduled action woken right away: rendering
        and posting it would otherwise double the time the mail gateway, the
        website form or the live chat spend creating a ticket."""
        if self.env.context.get("helpdesk_auto_generated_email"):
            return
        own_addresses = self._helpdesk_own_addresses()
        pending = self.filtered(
            lambda ticket: (
                ticket.team_id.use_acknowledgement
                and ticket.team_id.ack_template_id
                and ticket._accepts_automated_email(own_addresses)
            )
        )
        if pending:
            pending.sudo().ack_pending = True
            self.env.ref(
                "helpdesk_intake.ir_cron_send_acknowledgements"
            ).sudo()._trigger()

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
            self.env.ref(
                "helpdesk_intake.ir_cron_send_acknowledgements"
            ).sudo()._trigger()

    def _accepts_automated_email(self, own_addresses=None):
        """Whether the customer's address is a person's mailbox that may be
        answered automatically without risking a mail loop."""
        self.ensure_one()
        email = email_normalize(self.partner_email or "")
        if not email:
            return False
        if is_automated_sender(email):
            return False
        if own_addresses is None:
            own_addresses = self._helpdesk_own_addresses()
        return email not in own_addresses

    @api.model
    def _helpdesk_own_addresses(self):
        """Addresses of the helpdesk itself: aliases, catchall and bounce."""
        aliases = (
            self.env["mail.alias"]
            .sudo()
            .search([("alias_model_id.model", "=", self._name)])
        )
        # alias domains are a handful per database
        domains = self.env["mail.alias.domain"].sudo().search([], limit=None)
        return {
            email_normalize(address)
            for address in aliases.mapped("alias_full_name")
            + domains.mapped("catchall_email")
            + domains.mapped("bounce_email")
            if address
        }

    def _post_automated_email(self, template):
        """Post ``template`` on the ticket and email it to the customer, marked
        as an automatic reply."""
        self.ensure_one()
        ticket = self.sudo()
        if not ticket.partner_id:
            return
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
            mail_headers=AUTO_REPLY_HEADERS,
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
            for ticket in self:
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

    # ------------------------------------------------------------
    # MAIL GATEWAY
    # ------------------------------------------------------------

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        values = {
            "intake_channel": "email",
            "email_message_id": msg_dict.get("message_id") or False,
            **(custom_values or {}),
        }
        customer = self._customer_from_email(msg_dict)
        values.setdefault("partner_id", customer.id)
        # The gateway sets the customer email, which keeps the ORM from
        # computing the other customer fields: give them all.
        values.setdefault("partner_name", customer.name)
        values.setdefault("partner_phone", customer.phone)
        values.setdefault("name", self._title_from_email(msg_dict))
        msg_dict = dict(
            msg_dict, email_from=customer.email or msg_dict.get("email_from")
        )
        ticket = super(
            HelpdeskTicket, self.with_context(default_user_id=False)
        ).message_new(msg_dict, custom_values=values)
        author = self.env["res.partner"].browse(msg_dict.get("author_id")).exists()
        cc_partners = ticket._cc_followers(msg_dict, author)
        ticket.message_subscribe((customer | cc_partners).ids)
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
        if not self._is_internal_sender(msg_dict):
            for ticket in self.filtered(
                lambda t: t.is_closed and t.team_id.reply_to_closed == "reopen"
            ):
                open_stage = ticket.team_id.stage_ids.filtered(
                    lambda stage: not stage.fold
                )[:1]
                if open_stage:
                    ticket.stage_id = open_stage
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
    def _customer_from_email(self, msg_dict):
        """The partner the ticket is about: the sender, or, when an employee
        forwards a customer's email, the original sender of the forward."""
        author = self.env["res.partner"].browse(msg_dict.get("author_id")).exists()
        if self._is_internal_sender(msg_dict):
            forwarded_from = self._forwarded_sender(msg_dict.get("body") or "")
            if forwarded_from:
                return self.env["mail.thread"]._partner_find_from_emails_single(
                    [forwarded_from], no_create=False
                )
        if author:
            return author
        if not msg_dict.get("email_from"):
            return author
        return self.env["mail.thread"]._partner_find_from_emails_single(
            [msg_dict["email_from"]], no_create=False
        )

    @api.model
    def _forwarded_sender(self, body):
        """Sender of the message quoted by a forward (hook around
        ``tools.forwarded_sender``)."""
        return forwarded_sender(body)

    def _message_post_after_hook(self, message, msg_vals):
        # The first email of a ticket is its description (with inline images
        # already turned into attachments by the gateway).
        if (
            len(self) == 1
            and self.intake_channel == "email"
            and is_html_empty(self.description)
            and msg_vals.get("message_type") == "email"
            and message.subtype_id == self._creation_subtype()
            and msg_vals.get("body")
        ):
            self.description = msg_vals["body"]
        return super()._message_post_after_hook(message, msg_vals)

    @api.model
    def _is_internal_sender(self, message_dict):
        author = self.env["res.partner"].browse(message_dict.get("author_id")).exists()
        if not author and message_dict.get("email_from"):
            author = self._partner_find_from_emails_single(
                [message_dict["email_from"]], no_create=True
            )
        return bool(author.user_ids.filtered(lambda user: not user.share))

    # ------------------------------------------------------------
    # ROUTING AND QUARANTINE (called by mail.thread, models/mail_thread.py)
    # ------------------------------------------------------------

    @api.model
    def _helpdesk_adjust_routes(self, message_dict, routes, recipients):
        """Apply the helpdesk rules to the routes found by the mail gateway:
        one ticket per email whatever the number of team aliases addressed
        (``recipients``: the To then Cc addresses, in the order written),
        replies without threading headers matched by the reference in their
        subject, and replies to closed tickets handled per team."""
        routes = self._routes_one_new_ticket(routes, recipients)
        return [self._route_for_reply(message_dict, route) for route in routes]

    @api.model
    def _routes_one_new_ticket(self, routes, recipients):
        recipients = [email_normalize(address) for address in recipients]

        def position(route):
            alias_email = (
                email_normalize(route[4].alias_full_name or "") if route[4] else ""
            )
            return (
                recipients.index(alias_email)
                if alias_email in recipients
                else len(recipients)
            )

        new_ticket_routes = [r for r in routes if r[0] == self._name and not r[1]]
        if len(new_ticket_routes) < 2:
            return routes
        keep = min(new_ticket_routes, key=position)
        return [r for r in routes if r is keep or r not in new_ticket_routes]

    @api.model
    def _route_for_reply(self, message_dict, route):
        model, thread_id, custom_values, user_id, alias = route
        if model != self._name:
            return route
        if not thread_id:
            ticket = self._ticket_from_subject_reference(message_dict)
            if not ticket:
                return route
            thread_id = ticket.id
        ticket = self.sudo().browse(thread_id)
        if (
            ticket.is_closed
            and ticket.team_id.reply_to_closed == "new"
            and not self._is_internal_sender(message_dict)
        ):
            values = {"team_id": ticket.team_id.id, "origin_ticket_id": ticket.id}
            return (model, False, values, user_id, alias)
        return (model, thread_id, custom_values, user_id, alias)

    @api.model
    def _ticket_from_subject_reference(self, message_dict):
        """Ticket whose ``#<ref>`` appears in the subject, provided the sender is
        its customer or one of its followers: guessing a number is not enough
        to write into someone else's ticket."""
        refs = subject_references(message_dict.get("subject"))
        sender = email_normalize(message_dict.get("email_from") or "")
        if not refs or not sender:
            return self.browse()
        for ticket in self.sudo().search([("ref", "in", refs)]):
            allowed = ticket.message_partner_ids.mapped("email_normalized")
            if sender in allowed or sender == email_normalize(
                ticket.partner_email or ""
            ):
                return ticket
        return self.browse()

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
