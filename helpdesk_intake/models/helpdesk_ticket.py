from collections import defaultdict

import pytz
from markupsafe import escape

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.fields import Domain
from odoo.tools import email_normalize, format_date, format_time, formataddr
from odoo.tools.mail import generate_tracking_message_id

from ..tools import client_network, neutralize_display_name

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
# Changing one of these re-evaluates which SLA policies apply to a ticket.
SLA_CRITERIA = {"team_id", "priority", "tag_ids", "partner_id"}
# Fields of the tickets that the re-evaluation of their SLA policies reads.
SLA_FIELDS = [
    "is_spam",
    "team_id",
    "priority",
    "stage_id",
    "create_date",
    "intake_channel",
    "sla_status_ids",
]


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _description = "Helpdesk Ticket"
    _inherit = ["portal.mixin", "mail.thread.cc", "mail.activity.mixin"]
    _order = "priority desc, id desc"
    _primary_email = "partner_email"
    _mail_post_access = "read"
    _rec_names_search = ["name", "ref", "partner_name"]
    # The ticket's company is its team's: the assignee must work for it.
    _check_company_auto = True

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
    # Transcripts and long emails: loaded only where shown, not with every
    # read of the ticket's other fields (display name, lists, kanban).
    description = fields.Html(prefetch=False)
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
    # Precomputed, like the stage: set by the INSERT, not by UPDATEs after it.
    company_id = fields.Many2one(
        related="team_id.company_id", store=True, precompute=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assigned to",
        index=True,
        tracking=True,
        check_company=True,
        domain="[('share', '=', False)]",
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
        precompute=True,
        readonly=False,
        tracking=True,
        copy=False,
        ondelete="restrict",
        group_expand="_read_group_expand_stage_ids",
        domain="[('team_ids', 'in', team_id)]",
    )
    is_closed = fields.Boolean(
        related="stage_id.fold", store=True, precompute=True, string="Closed"
    )
    tag_ids = fields.Many2many("helpdesk.tag", string="Tags")
    properties = fields.Properties(
        definition="team_id.ticket_properties_definition", copy=True
    )
    priority = fields.Selection(
        TICKET_PRIORITIES, default="0", required=True, tracking=True
    )
    intake_channel = fields.Selection(
        TICKET_CHANNELS,
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
    partner_ticket_count = fields.Integer(
        string="Other Tickets",
        compute="_compute_partner_ticket_count",
        help="Other tickets of the customer and of its company's contacts.",
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
    sla_answer_expected = fields.Char(
        string="Answer Expected By",
        compute="_compute_sla_answer_expected",
        help="The SLA deadline in the customer's language and time zone, for "
        "the acknowledgement; empty when no SLA policy applies.",
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
    is_spam = fields.Boolean(
        string="Spam",
        readonly=True,
        copy=False,
        tracking=True,
        help="The email that opened the ticket was flagged as spam by the mail "
        "server or came from a blocked sender: the ticket stays out of the "
        "views, counters and portal, without assignment, SLA nor "
        "acknowledgement, until an agent releases it.",
    )
    spam_reason = fields.Char(
        readonly=True, copy=False, help="Why the email was kept in Spam."
    )

    _ack_pending_idx = models.Index("(id) WHERE ack_pending IS TRUE")
    # Open tickets are what agents look at: column counts, progress bars and
    # counters read this index only, record rules included (the id is the
    # followers' condition of the team visibility rule).
    _open_tickets_idx = models.Index(
        "(stage_id, priority, team_id) INCLUDE (user_id, company_id, is_spam, id)"
        " WHERE is_closed IS NOT TRUE AND active IS TRUE"
    )
    # The Spam list of agents, a few tickets among all.
    _spam_idx = models.Index("(team_id, id) WHERE is_spam IS TRUE")
    # "Today" counters of the team overview.
    _create_date_idx = models.Index("(create_date)")
    # "Closed in 7 days" tile of the team overview.
    _closed_date_idx = models.Index("(close_date, team_id) WHERE is_closed IS TRUE")
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
    # Assignment of new tickets, whatever the number of tickets: the open
    # tickets of each member of the team (balanced load), and the team's
    # last assigned ticket (round robin).
    _team_open_load_idx = models.Index(
        "(team_id, user_id) WHERE is_closed IS NOT TRUE AND active IS TRUE"
    )
    _team_last_assigned_idx = models.Index(
        "(team_id, assign_date DESC, id DESC) WHERE assign_date IS NOT NULL"
    )

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

    def _set_sla_deadline(self, kept_deadlines, new_statuses):
        """Store the earliest deadline as ``_compute_sla_deadline`` would,
        from the deadlines the tickets keep ({ticket id: [deadline]}) and the
        values of the statuses just inserted: recomputing it would read every
        new status back. It is written with the rest of the tickets' changes;
        later changes of the statuses recompute it as usual."""
        deadlines = defaultdict(list, kept_deadlines)
        for values in new_statuses:
            if values.get("deadline") and values.get("status") == "ongoing":
                deadlines[values["ticket_id"]].append(values["deadline"])
        with self.env.protecting([self._fields["sla_deadline"]], self):
            for ticket in self:
                ticket.sla_deadline = min(deadlines[ticket.id], default=False)

    def _compute_sla_fail(self):
        now = fields.Datetime.now()
        for ticket in self:
            statuses = ticket.sla_status_ids
            ticket.sla_fail = any(status._is_failed(now) for status in statuses)
            ticket.sla_ongoing = any(
                status.status == "ongoing" and not status._is_failed(now)
                for status in statuses
            )

    @api.depends("partner_id")
    def _compute_partner_ticket_count(self):
        customers = self.partner_id.commercial_partner_id
        groups = self._read_group(
            [("partner_id", "child_of", customers.ids)],
            ["partner_id"],
            ["__count"],
        )
        counts = defaultdict(int)
        for partner, count in groups:
            counts[partner.commercial_partner_id] += count
        for ticket in self:
            customer = ticket.partner_id.commercial_partner_id
            # the ticket itself is among its customer's tickets once saved
            own = 1 if customer and ticket.id else 0
            ticket.partner_ticket_count = counts[customer] - own if customer else 0

    def action_view_partner_tickets(self):
        self.ensure_one()
        action = self.partner_id.commercial_partner_id.action_view_tickets()
        action["domain"] = [
            ("partner_id", "child_of", self.partner_id.commercial_partner_id.id),
            ("id", "!=", self.id),
        ]
        action["context"] = {"default_intake_channel": "manual"}
        return action

    @api.depends("sla_deadline", "partner_id.lang", "partner_id.tz")
    def _compute_sla_answer_expected(self):
        for ticket in self:
            deadline = ticket.sla_deadline
            if not deadline or not ticket.team_id.use_sla:
                ticket.sla_answer_expected = False
                continue
            lang = ticket.partner_id.lang or self.env.lang
            tz = (
                ticket.partner_id.tz
                or ticket.team_id.resource_calendar_id.tz
                or ticket.company_id.resource_calendar_id.tz
                or "UTC"
            )
            local_day = pytz.utc.localize(deadline).astimezone(pytz.timezone(tz))
            ticket.sla_answer_expected = "{}, {} ({})".format(
                format_date(self.env, local_day, lang_code=lang, date_format="full"),
                format_time(self.env, deadline, tz, "short", lang_code=lang),
                tz,
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
        old_tag_ids = (
            {ticket.id: set(ticket.tag_ids.ids) for ticket in self}
            if "tag_ids" in vals and "user_id" not in vals
            else None
        )
        res = super().write(vals)
        if old_tag_ids is not None:
            self._dispatch_new_tags(old_tag_ids)
        if SLA_CRITERIA.intersection(vals):
            self._sla_apply()
        if stage_changed:
            self.sla_status_ids._update_for_stage(fields.Datetime.now())
        return res

    # ------------------------------------------------------------
    # SLA
    # ------------------------------------------------------------

    def _sla_apply(self):
        """Bring the SLA statuses in line with the policies that apply now
        (see ``helpdesk.sla.status._apply_to_tickets``); tickets in Spam
        get theirs when released."""
        # only what the re-evaluation reads, in one query rather than every
        # column of the tickets by batches of a thousand
        self.sudo().fetch(SLA_FIELDS)
        self.env["helpdesk.sla.status"]._apply_to_tickets(
            self.filtered(lambda ticket: not ticket.is_spam)
        )

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
        """Fill ``user_id`` of new tickets from their team's tag rules, else
        from its assignment method."""
        default_team = None
        unassigned = defaultdict(list)
        for vals in vals_list:
            # tickets in Spam are assigned when released
            if vals.get("user_id") or vals.get("is_spam"):
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
                unassigned[team_id].append(vals)
        Rule = self.env["helpdesk.team.tag.rule"].sudo()
        for team in self.env["helpdesk.team"].browse(unassigned).sudo():
            by_rule = defaultdict(list)
            for vals in unassigned[team.id]:
                tag_ids = _tag_ids_from_commands(vals.get("tag_ids"))
                by_rule[Rule._match(team, tag_ids)].append(vals)
            for rule, rule_vals in by_rule.items():
                users = team._next_assignees(
                    len(rule_vals), candidates=rule.user_ids if rule else None
                )
                for vals, user in zip(rule_vals, users, strict=True):
                    # a member who does not work for the team's company
                    # cannot be the assignee: the ticket stays unassigned
                    if user and team.company_id in user.company_ids:
                        vals["user_id"] = user.id

    def _dispatch_new_tags(self, old_tag_ids):
        """Assign open tickets that got a tag of one of their team's tag rules
        among the rule's members, unless already assigned to one of them.

        :param old_tag_ids: {ticket id: set of tag ids before the change}
        """
        Rule = self.env["helpdesk.team.tag.rule"].sudo()
        by_rule = defaultdict(lambda: self.browse())
        for ticket in self.filtered(lambda t: not t.is_closed):
            new_tags = set(ticket.tag_ids.ids) - old_tag_ids.get(ticket.id, set())
            rule = Rule._match(ticket.team_id.sudo(), new_tags) if new_tags else Rule
            if rule and ticket.user_id not in rule.user_ids:
                by_rule[rule] |= ticket
        for rule, tickets in by_rule.items():
            users = rule.team_id._next_assignees(len(tickets), candidates=rule.user_ids)
            for ticket, user in zip(tickets, users, strict=True):
                if user and ticket.company_id in user.company_ids:
                    ticket.user_id = user

    def _close_by_customer(self, partner):
        """Close the tickets in their team's first folded stage, as their
        customer asked from the portal; ``partner`` signs the note. The
        caller checked the customer's right on each ticket: the customer has
        no write access to tickets."""
        for ticket in self.sudo():
            stage = ticket.team_id.stage_ids.filtered("fold")[:1]
            if not stage:
                raise UserError(
                    self.env._("The team of this ticket has no closing stage.")
                )
            ticket.stage_id = stage
            ticket.message_post(
                body=self.env._("The customer closed the ticket from the portal."),
                author_id=(partner or ticket.partner_id).id,
                subtype_xmlid="mail.mt_note",
            )

    # ------------------------------------------------------------
    # MESSAGING
    # ------------------------------------------------------------

    def _creation_subtype(self):
        # the cached id, without the existence check of env.ref: asked
        # twice for every email that opens a ticket
        return self.env["mail.message.subtype"].browse(
            self.env["ir.model.data"]._xmlid_to_res_id("helpdesk_intake.mt_ticket_new")
        )

    def _track_subtype(self, init_values):
        self.ensure_one()
        if "stage_id" in init_values:
            return self.env.ref("helpdesk_intake.mt_ticket_stage")
        return super()._track_subtype(init_values)

    def _message_track(self, fields_iter, initial_values_dict):
        """Log the changes of a mass edit in one batch.

        Odoo logs the tracking of each record with its own ``_message_log``
        (two INSERTs per ticket): changing the priority of thousands of
        tickets spent most of its time there. The changes that would be
        logged that way (no subtype, no custom body nor author) are logged
        here with one create of all their messages, with the same values;
        the others (a stage change posts with its subtype) go through Odoo."""
        if len(self) < 2 or not fields_iter:
            return super()._message_track(fields_iter, initial_values_dict)
        precommit = self.env.cr.precommit.data
        customised = set(precommit.get(f"mail.tracking.message.{self._name}", ()))
        customised.update(precommit.get(f"mail.tracking.author.{self._name}", ()))
        tracked_fields = self.fields_get(
            fields_iter, attributes=("string", "type", "selection", "currency_field")
        )
        tracking, logs, others = {}, [], []
        for record in self:
            if record.id in customised:
                others.append(record.id)
                continue
            initial = initial_values_dict[record.id]
            try:
                changes, tracking_value_ids = record._mail_track(
                    tracked_fields, initial
                )
            except MissingError:
                continue
            if changes and record._track_subtype(
                {name: initial[name] for name in changes}
            ):
                others.append(record.id)
                continue
            tracking[record.id] = (changes, tracking_value_ids)
            if changes and tracking_value_ids:
                logs.append((record, changes, tracking_value_ids))
        if logs:
            author_id, email_from = self._message_compute_author()
            base_values = {
                "author_id": author_id,
                "email_from": email_from,
                "model": self._name,
                "record_alias_domain_id": False,
                "record_company_id": False,
                "message_type": "notification",
                "is_internal": True,
                "subject": False,
                "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id(
                    "mail.mt_note"
                ),
                "email_add_signature": False,
                "reply_to": self.env["mail.thread"]._notify_get_reply_to(
                    default=email_from, author_id=author_id
                )[False],
            }
            messages = self.sudo()._message_create(
                [
                    dict(
                        base_values,
                        res_id=record.id,
                        body=escape(record._track_get_default_log_message(changes)),
                        message_id=generate_tracking_message_id("message-notify"),
                    )
                    for record, changes, _tracking_value_ids in logs
                ]
            )
            # created apart: as commands of each message, the ORM would
            # insert them message by message
            self.env["mail.tracking.value"].sudo().create(
                [
                    dict(values, mail_message_id=message.id)
                    for message, (_record, _changes, commands) in zip(
                        messages, logs, strict=True
                    )
                    for _command, _id, values in commands
                ]
            )
        # also consumes the custom bodies and authors left for these records
        tracking.update(
            super(HelpdeskTicket, self.browse(others))._message_track(
                fields_iter, initial_values_dict
            )
        )
        return tracking

    def _notify_get_reply_to(self, default=None, author_id=False):
        aliases = self.team_id.sudo()._notify_get_reply_to(
            default=default, author_id=author_id
        )
        return {ticket.id: aliases.get(ticket.team_id.id) for ticket in self}


def _tag_ids_from_commands(commands):
    """Ids of the existing tags that ``tag_ids`` create values link."""
    tag_ids = set()
    for command in commands or ():
        if isinstance(command, int):
            tag_ids.add(command)
        elif command[0] == Command.SET:
            tag_ids = set(command[2])
        elif command[0] == Command.LINK:
            tag_ids.add(command[1])
        elif command[0] == Command.CLEAR:
            tag_ids = set()
    return tag_ids


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
