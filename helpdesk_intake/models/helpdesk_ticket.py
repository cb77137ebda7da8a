import re
from collections import defaultdict
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.policy import compat32

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import (
    email_normalize,
    email_split,
    formataddr,
    html2plaintext,
    is_html_empty,
)
from odoo.tools.mail import email_re

from ..tools import client_network, neutralize_display_name, ticket_title

TICKET_PRIORITIES = [
    ("0", "Low"),
    ("1", "Medium"),
    ("2", "High"),
    ("3", "Urgent"),
]
TICKET_CHANNELS = [
    ("email", "Email"),
    ("livechat", "Live Chat"),
    ("website", "Website Form"),
    ("manual", "Manual"),
    ("api", "API"),
]
# Headers of every automated email we send, so that auto-responders stay quiet.
AUTO_REPLY_HEADERS = {
    "Auto-Submitted": "auto-replied",
    "X-Auto-Response-Suppress": "All",
}
# Local parts of mailboxes that never read what they receive.
AUTOMATED_SENDER = re.compile(
    r"^(mailer-daemon|postmaster|no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?)([-+.].*)?$",
    re.I,
)
SUBJECT_REFERENCE = re.compile(r"#(\d+)\b")
# Titles made from the first line of a body, when a message has no subject.
TITLE_MAX_LENGTH = 80
# Cc contacts an email may make followers: each gets portal access.
CC_FOLLOWERS_MAX = 10
# Changing one of these re-evaluates which SLA policies apply to a ticket.
SLA_CRITERIA = {"team_id", "priority", "tag_ids", "partner_id"}


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _description = "Helpdesk Ticket"
    _inherit = ["portal.mixin", "mail.thread.cc", "mail.activity.mixin"]
    _order = "priority desc, id desc"
    _primary_email = "partner_email"
    _mail_post_access = "read"
    _rec_names_search = ["name", "ref", "partner_name"]

    def _default_team_id(self):
        team_id = self.env.context.get("default_team_id")
        if team_id:
            return self.env["helpdesk.team"].browse(team_id)
        Team = self.env["helpdesk.team"]
        return Team.search(
            [("member_ids", "in", self.env.uid)], limit=1
        ) or Team.search([], limit=1)

    ref = fields.Char(string="Reference", readonly=True, copy=False)
    name = fields.Char(string="Title", required=True, tracking=True, index="trigram")
    description = fields.Html()
    active = fields.Boolean(default=True)
    # Indexed by the (team_id, priority, id) index below.
    team_id = fields.Many2one(
        "helpdesk.team",
        required=True,
        tracking=True,
        ondelete="restrict",
        default=lambda self: self._default_team_id(),
        check_company=True,
    )
    company_id = fields.Many2one(related="team_id.company_id", store=True)
    user_id = fields.Many2one(
        "res.users",
        string="Assigned to",
        index=True,
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", index=True, tracking=True
    )
    partner_name = fields.Char(
        string="Customer Name",
        compute="_compute_partner_info",
        store=True,
        readonly=False,
    )
    partner_email = fields.Char(
        string="Customer Email",
        compute="_compute_partner_info",
        store=True,
        readonly=False,
    )
    partner_phone = fields.Char(
        string="Customer Phone",
        compute="_compute_partner_info",
        store=True,
        readonly=False,
    )
    stage_id = fields.Many2one(
        "helpdesk.stage",
        compute="_compute_stage_id",
        store=True,
        readonly=False,
        tracking=True,
        copy=False,
        ondelete="restrict",
        group_expand="_read_group_expand_stage_ids",
        domain="[('team_ids', 'in', team_id)]",
    )
    is_closed = fields.Boolean(related="stage_id.fold", store=True, string="Closed")
    tag_ids = fields.Many2many("helpdesk.tag", string="Tags")
    priority = fields.Selection(
        TICKET_PRIORITIES, default="0", required=True, tracking=True
    )
    channel = fields.Selection(
        TICKET_CHANNELS,
        string="Intake Channel",
        default="api",
        required=True,
        readonly=True,
        help="How the ticket reached the helpdesk.",
    )
    assign_date = fields.Datetime(
        string="Assigned on", compute="_compute_assign_date", store=True, copy=False
    )
    close_date = fields.Datetime(
        string="Closed on", compute="_compute_close_date", store=True, copy=False
    )
    origin_ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="Follow-up of",
        readonly=True,
        index="btree_not_null",
        help="Closed ticket the customer wrote about again.",
    )

    sla_status_ids = fields.One2many(
        "helpdesk.sla.status", "ticket_id", string="SLA Statuses"
    )
    sla_deadline = fields.Datetime(
        string="SLA Deadline",
        compute="_compute_sla_deadline",
        store=True,
        index="btree_not_null",
        help="Earliest deadline of the ongoing SLA policies.",
    )
    sla_fail = fields.Boolean(
        string="SLA Failed", compute="_compute_sla_fail", search="_search_sla_fail"
    )
    sla_ongoing = fields.Boolean(
        string="SLA in Progress",
        compute="_compute_sla_fail",
        search="_search_sla_ongoing",
    )

    email_message_id = fields.Char(
        string="Email Message-ID",
        readonly=True,
        copy=False,
        help="Message-ID of the email that opened the ticket.",
    )
    is_unprocessable = fields.Boolean(
        string="Unprocessable Email",
        readonly=True,
        copy=False,
        help="The mail gateway failed on the email; the original is attached.",
    )
    ack_pending = fields.Boolean(
        string="Acknowledgement Pending",
        readonly=True,
        copy=False,
        help="The acknowledgement email is about to be sent to the customer.",
    )
    original_email_id = fields.Many2one("ir.attachment", readonly=True, copy=False)
    customer_unverified = fields.Boolean(
        string="Unverified Sender",
        readonly=True,
        copy=False,
        help="The request came from a visitor who was not logged in, with the "
        "address of an existing contact: the contact does not see the ticket in "
        "their portal nor follow it until they open the link of the "
        "acknowledgement sent to that address.",
    )

    _ack_pending_idx = models.Index("(id) WHERE ack_pending IS TRUE")
    # Open tickets are what agents look at: column counts, progress bars and
    # counters read this index only.
    _open_tickets_idx = models.Index(
        "(stage_id, priority, team_id) INCLUDE (user_id, company_id)"
        " WHERE is_closed IS NOT TRUE AND active IS TRUE"
    )
    # "Today" counters of the team overview.
    _create_date_idx = models.Index("(create_date)")
    # One ticket per email, even when several workers fetch the same message.
    _email_message_id_uniq = models.UniqueIndex(
        "(email_message_id) WHERE email_message_id IS NOT NULL"
    )
    # The first pages of every ticket view are read in this order; these also
    # serve the filters on team and stage. Few other columns are indexed:
    # every index is rewritten when a priority changes.
    _priority_order_idx = models.Index("(priority DESC, id DESC)")
    _team_priority_order_idx = models.Index("(team_id, priority DESC, id DESC)")
    _stage_priority_order_idx = models.Index("(stage_id, priority DESC, id DESC)")
    _ref_uniq = models.UniqueIndex("(ref)")

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------

    @api.depends("name", "ref")
    def _compute_display_name(self):
        for ticket in self:
            ticket.display_name = (
                f"{ticket.name} (#{ticket.ref})" if ticket.ref else ticket.name
            )

    @api.depends("partner_id")
    def _compute_partner_info(self):
        for ticket in self:
            partner = ticket.partner_id
            ticket.partner_name = partner.name or ticket.partner_name
            ticket.partner_email = partner.email or ticket.partner_email
            ticket.partner_phone = partner.phone or ticket.partner_phone

    @api.depends("team_id")
    def _compute_stage_id(self):
        for ticket in self:
            if ticket.team_id and ticket.stage_id not in ticket.team_id.stage_ids:
                ticket.stage_id = ticket.team_id.stage_ids[:1]

    @api.depends("user_id")
    def _compute_assign_date(self):
        now = fields.Datetime.now()
        for ticket in self:
            ticket.assign_date = now if ticket.user_id else False

    @api.depends("stage_id.fold")
    def _compute_close_date(self):
        now = fields.Datetime.now()
        for ticket in self:
            if not ticket.stage_id.fold:
                ticket.close_date = False
            elif not ticket.close_date:
                ticket.close_date = now

    @api.depends("sla_status_ids.deadline", "sla_status_ids.status")
    def _compute_sla_deadline(self):
        for ticket in self:
            deadlines = [
                status.deadline
                for status in ticket.sla_status_ids
                if status.status == "ongoing" and status.deadline
            ]
            ticket.sla_deadline = min(deadlines) if deadlines else False

    def _compute_sla_fail(self):
        now = fields.Datetime.now()
        for ticket in self:
            statuses = ticket.sla_status_ids
            ticket.sla_fail = any(status._is_failed(now) for status in statuses)
            ticket.sla_ongoing = any(
                status.status == "ongoing" and not status._is_failed(now)
                for status in statuses
            )

    def _search_sla_fail(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        failed = Domain(
            "sla_status_ids", "any", self.env["helpdesk.sla.status"]._failed_domain()
        )
        return failed if (operator == "in") == (True in value) else ~failed

    def _search_sla_ongoing(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        now = fields.Datetime.now()
        ongoing = Domain(
            "sla_status_ids",
            "any",
            [
                ("status", "=", "ongoing"),
                "|",
                ("deadline", "=", False),
                ("deadline", ">=", now),
            ],
        )
        return ongoing if (operator == "in") == (True in value) else ~ongoing

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for ticket in self:
            ticket.access_url = f"/my/tickets/{ticket.id}"
        return res

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        if not self.env.su and not self.env.user._is_internal():
            _check_visitor_search_domain(self, Domain(domain))
        return super()._search(domain, offset, limit, order, **kwargs)

    @api.model
    def _read_group_expand_stage_ids(self, stages, domain):
        team_id = self.env.context.get("default_team_id")
        if team_id:
            return stages.search(
                Domain("id", "in", stages.ids) | Domain("team_ids", "in", team_id),
                order=stages._order,
            )
        return stages

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        Sequence = self.env["ir.sequence"].sudo()
        for vals in vals_list:
            if not vals.get("ref"):
                vals["ref"] = Sequence.next_by_code("helpdesk.ticket")
        self._prepare_assignment(vals_list)
        tickets = super().create(vals_list)
        tickets._link_customers()
        tickets._sla_apply()
        tickets._request_acknowledgement()
        return tickets

    def write(self, vals):
        if "partner_id" in vals and not self.env.su:
            # an agent choosing the customer vouches for them
            vals = dict(vals, customer_unverified=False)
        stage_changed = "stage_id" in vals
        res = super().write(vals)
        if SLA_CRITERIA.intersection(vals):
            self._sla_apply()
        if stage_changed:
            self.sla_status_ids._update_for_stage(fields.Datetime.now())
            for ticket in self.filtered("stage_id.template_id"):
                ticket._post_automated_email(ticket.stage_id.template_id)
        return res

    # ------------------------------------------------------------
    # SLA
    # ------------------------------------------------------------

    def _sla_apply(self):
        """Bring the SLA statuses in line with the policies that apply now:
        new policies start from the ticket's creation, policies that no longer
        apply are dropped unless already reached or failed. Done for the whole
        batch with a constant number of queries."""
        Status = self.env["helpdesk.sla.status"].sudo()
        policies = (
            self.env["helpdesk.sla"]
            .sudo()
            .search([("team_id", "in", self.team_id.filtered("use_sla").ids)])
        )
        criteria_by_team = defaultdict(list)
        for sla in policies:
            criteria_by_team[sla.team_id.id].append((sla, *sla._criteria()))
        now = fields.Datetime.now()
        obsolete_ids, new_pairs = [], []
        for ticket in self.sudo():
            tag_ids = set(ticket.tag_ids.ids)
            partner_ids = {
                ticket.partner_id.id,
                ticket.partner_id.commercial_partner_id.id,
            }
            applicable = {
                sla
                for sla, priority, sla_tag_ids, sla_partner_ids in criteria_by_team[
                    ticket.team_id.id
                ]
                if priority == ticket.priority
                and (not sla_tag_ids or sla_tag_ids & tag_ids)
                and (not sla_partner_ids or sla_partner_ids & partner_ids)
            }
            covered = set()
            for status in ticket.sla_status_ids:
                covered.add(status.sla_id)
                if (
                    status.sla_id not in applicable
                    and status.status == "ongoing"
                    and not status._is_failed(now)
                ):
                    obsolete_ids.append(status.id)
            new_pairs += [(ticket, sla) for sla in applicable - covered]
        Status.browse(obsolete_ids)._drop()
        if new_pairs:
            created = Status.create(Status._prepare_values(new_pairs))
            created._update_for_stage(now)

    def _link_customers(self):
        """Give tickets that only know the customer's email address their
        customer: found by that address, or created."""
        if self.env.context.get("helpdesk_auto_generated_email"):
            return
        for ticket in self.filtered(lambda t: not t.partner_id and t.partner_email):
            name = neutralize_display_name(ticket.partner_name)
            customer = ticket._partner_find_from_emails_single(
                [formataddr((name, ticket.partner_email))],
                no_create=False,
            )
            if customer:
                ticket.sudo().partner_id = customer

    @api.model
    def _prepare_visitor_customer_values(self, name, email, phone=False, user=None):
        """Customer values of a ticket a visitor submits on a public channel
        (website form, chat bot), from what they typed; ``user`` is the
        visitor when they may be logged in.

        A logged-in user is the customer, whatever address they type. A
        visitor who is not logged in proves nothing by typing an address:
        when it is an existing contact's, the ticket is linked to that
        contact but kept out of their portal and followers
        (``customer_unverified``) until they open the link of the
        acknowledgement sent to that address. An unknown address gets a new
        contact. The name is free text: it never takes part in telling the
        address."""
        name = neutralize_display_name(name)
        if user and not user._is_public():
            partner = user.partner_id
            values = {
                "partner_id": partner.id,
                "partner_name": partner.name,
                "partner_email": partner.email or email,
                "partner_phone": partner.phone or phone,
            }
            return {field: value for field, value in values.items() if value}
        values = {"partner_name": name, "partner_email": email, "partner_phone": phone}
        values = {field: value for field, value in values.items() if value}
        normalized = email_normalize(email or "")
        if not normalized:
            return values
        Thread = self.env["mail.thread"].sudo()
        contact = Thread._partner_find_from_emails_single([normalized], no_create=True)
        if contact:
            return dict(values, partner_id=contact.id, customer_unverified=True)
        contact = Thread._partner_find_from_emails_single(
            [formataddr((name, normalized))],
            additional_values={normalized: {"phone": phone}} if phone else None,
            no_create=False,
        )
        return dict(values, partner_id=contact.id)

    @api.model
    def _intake_rate_limit_refusal(self, client_ip, email):
        """Count a ticket submitted on a public channel (website form, chat
        bot) against the limits per client network and per customer address,
        which those channels share: the message refusing it when over them,
        else None."""
        events = [
            ("network", client_network(client_ip)),
            ("email", email_normalize(email or "") or ""),
        ]
        if self.env["helpdesk.intake.throttle"]._acquire(events, serialized=True):
            return None
        return self.env._(
            "Too many requests were sent from your network or for this email "
            "address in the last hour. Please try again later."
        )

    def _verify_customer(self):
        """The customer proved they own the ticket's address (they opened the
        link mailed to it): the ticket enters their portal and they follow
        it."""
        for ticket in self.sudo().filtered("customer_unverified"):
            ticket.customer_unverified = False
            ticket.message_subscribe(ticket.partner_id.ids)
            ticket.message_post(
                body=self.env._("The customer confirmed their email address."),
                subtype_xmlid="mail.mt_note",
            )

    def _prepare_assignment(self, vals_list):
        """Fill ``user_id`` of new tickets from their team's assignment method."""
        default_team = None
        unassigned = {}
        for vals in vals_list:
            if vals.get("user_id"):
                continue
            team_id = vals.get("team_id")
            if not team_id:
                default_team = (
                    default_team
                    if default_team is not None
                    else self._default_team_id()
                )
                team_id = default_team.id
            if team_id:
                unassigned.setdefault(team_id, []).append(vals)
        for team in self.env["helpdesk.team"].browse(unassigned).sudo():
            team_vals = unassigned[team.id]
            for vals, user in zip(
                team_vals, team._next_assignees(len(team_vals)), strict=True
            ):
                if user:
                    vals["user_id"] = user.id

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
        if AUTOMATED_SENDER.match(email.split("@", 1)[0]):
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

    # ------------------------------------------------------------
    # MAIL GATEWAY
    # ------------------------------------------------------------

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        values = {
            "channel": "email",
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
            return ticket_title(first_line, TITLE_MAX_LENGTH)
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
        """Sender of the message quoted by a forward, from the header block
        that common mail clients write below their forward marker."""
        text = html2plaintext(body, include_references=False)
        marker = re.search(
            r"(-{2,}\s*(forwarded message|original message|mensaje reenviado"
            r"|message transf\w+)"
            r"|begin forwarded message|_{10,})",
            text,
            re.IGNORECASE,
        )
        if not marker:
            return False
        # Sanitized HTML may put the whole header block on one line: take the
        # first address after the first "From:" of the forwarded part.
        quoted = text[marker.end() :]
        header = re.search(r"\b(?:from|de|von)\s*:", quoted, re.IGNORECASE)
        sender = email_re.search(quoted, header.end()) if header else None
        if not sender:
            return False
        # the display name, between "From:" and the address
        name = quoted[header.end() : sender.start()].strip(" \t*\"'<[(")
        if name and len(name) <= 100 and "\n" not in name:
            return formataddr((name, sender.group(1)))
        return sender.group(1)

    def _message_post_after_hook(self, message, msg_vals):
        # The first email of a ticket is its description (with inline images
        # already turned into attachments by the gateway).
        if (
            len(self) == 1
            and self.channel == "email"
            and is_html_empty(self.description)
            and msg_vals.get("message_type") == "email"
            and message.subtype_id == self._creation_subtype()
            and msg_vals.get("body")
        ):
            self.description = msg_vals["body"]
        return super()._message_post_after_hook(message, msg_vals)

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
    def _is_internal_sender(self, message_dict):
        author = self.env["res.partner"].browse(message_dict.get("author_id")).exists()
        if not author and message_dict.get("email_from"):
            author = self._partner_find_from_emails_single(
                [message_dict["email_from"]], no_create=True
            )
        return bool(author.user_ids.filtered(lambda user: not user.share))

    @api.model
    def _ticket_from_subject_reference(self, message_dict):
        """Ticket whose ``#<ref>`` appears in the subject, provided the sender is
        its customer or one of its followers: guessing a number is not enough
        to write into someone else's ticket."""
        refs = SUBJECT_REFERENCE.findall(message_dict.get("subject") or "")
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
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
        recipients = [
            email.lower()
            for header in ("Delivered-To", "X-Original-To", "To", "Cc")
            for value in headers.get_all(header) or ()
            for email in email_split(_header_text(value))
        ]
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
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
        subject = _header_text(headers.get("Subject", "")).strip()
        senders = email_split(_header_text(headers.get("From", "")))
        ticket = self.with_context(helpdesk_auto_generated_email=True).create(
            {
                "name": self.env._(
                    "Unprocessable email: %(subject)s", subject=subject or "?"
                )[:200],
                "team_id": team.id,
                "channel": "email",
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
    # MESSAGING
    # ------------------------------------------------------------

    def _creation_subtype(self):
        return self.env.ref("helpdesk_intake.mt_ticket_new")

    def _track_subtype(self, init_values):
        self.ensure_one()
        if "stage_id" in init_values:
            return self.env.ref("helpdesk_intake.mt_ticket_stage")
        return super()._track_subtype(init_values)

    def _notify_get_reply_to(self, default=None, author_id=False):
        aliases = self.team_id.sudo()._notify_get_reply_to(
            default=default, author_id=author_id
        )
        return {ticket.id: aliases.get(ticket.team_id.id) for ticket in self}


def _header_text(value):
    """Decoded text of a raw header, whatever its encoding."""
    try:
        return str(make_header(decode_header(str(value))))
    except (UnicodeError, LookupError, ValueError):
        return str(value)


def _check_visitor_search_domain(model, domain):
    """Refuse a portal or public user's ``domain`` on ``model`` when a path
    of it goes through a field the ORM searches without access rules
    (``bypass_search_access``, such as the messages): internal notes would
    answer through the number of results. (Odoo refuses the ``any!``
    operators in domains coming from outside.)"""
    for condition in domain.iter_conditions():
        comodel = model
        for name in condition.field_expr.split("."):
            field = comodel._fields.get(name)
            if field is None or not field.relational:
                break
            if field.bypass_search_access:
                raise AccessError(
                    model.env._("You cannot search tickets by %(field)s.", field=name)
                )
            comodel = model.env[field.comodel_name]
        if condition.operator in ("any", "not any") and isinstance(
            condition.value, (Domain, list, tuple)
        ):
            _check_visitor_search_domain(comodel, Domain(condition.value))
