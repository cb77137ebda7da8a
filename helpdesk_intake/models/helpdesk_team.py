from ast import literal_eval
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain

from odoo.addons.mail.tools.alias_error import AliasError

# Channel toggles whose feature lives in a separate addon, installed on demand.
CHANNEL_ADDONS = {
    "use_livechat": "helpdesk_intake_livechat",
    "use_website_form": "helpdesk_intake_website",
}

# How far ahead assignment looks for the next working day of the members.
AVAILABILITY_DAYS = 14

# Period of the "% on time" of the team overview.
SLA_RATE_DAYS = 30
# Period of the "closed" tile of the team overview.
CLOSED_RECENT_DAYS = 7

DEFAULT_STAGE_XMLIDS = (
    "helpdesk_intake.stage_new",
    "helpdesk_intake.stage_in_progress",
    "helpdesk_intake.stage_waiting",
    "helpdesk_intake.stage_solved",
    "helpdesk_intake.stage_cancelled",
)


class HelpdeskTeam(models.Model):
    _name = "helpdesk.team"
    _description = "Helpdesk Team"
    _inherit = ["mail.alias.mixin", "mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    def _default_stage_ids(self):
        stages = self.env["helpdesk.stage"]
        for xmlid in DEFAULT_STAGE_XMLIDS:
            stages |= self.env.ref(xmlid, raise_if_not_found=False) or stages
        return stages

    def _default_ack_template(self):
        return self.env.ref(
            "helpdesk_intake.mail_template_ticket_ack", raise_if_not_found=False
        )

    name = fields.Char(required=True, translate=True, tracking=True)
    description = fields.Html(translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    color = fields.Integer()
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    member_ids = fields.Many2many(
        "res.users",
        relation="helpdesk_team_member_rel",
        string="Members",
        domain=[("share", "=", False)],
        default=lambda self: self.env.user,
        check_company=True,
        help="Agents of the team; automatic assignment picks among them.",
    )
    assign_method = fields.Selection(
        [
            ("manual", "Manual"),
            ("balanced", "Balanced"),
            ("randomly", "Round Robin"),
        ],
        string="Assignment Method",
        default="manual",
        required=True,
        help="Manual: tickets stay unassigned.\n"
        "Balanced: each new ticket goes to the member with the fewest open tickets.\n"
        "Round Robin: members take new tickets in turn.",
    )
    tag_rule_ids = fields.One2many(
        "helpdesk.team.tag.rule",
        "team_id",
        string="Tag Dispatch",
        help="Tickets arriving with or getting one of these tags are assigned "
        "among the members of the tag's rule.",
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        default=lambda self: self.env.company.resource_calendar_id,
        check_company=True,
        help="Working hours used to compute SLA deadlines.",
    )
    stage_ids = fields.Many2many(
        "helpdesk.stage",
        relation="helpdesk_stage_team_rel",
        string="Stages",
        default=lambda self: self._default_stage_ids(),
    )
    ticket_ids = fields.One2many("helpdesk.ticket", "team_id", string="Tickets")
    privacy_visibility = fields.Selection(
        [
            ("invited_internal", "Invited internal users"),
            ("internal", "All internal users"),
            ("portal", "Invited portal users and all internal users"),
        ],
        string="Visibility",
        default="internal",
        required=True,
        tracking=True,
        help="Who may see the team's tickets:\n"
        "- Invited internal users: the members and followers of the team, and "
        "the followers and assignee of each ticket.\n"
        "- All internal users: every helpdesk user.\n"
        "- Invited portal users and all internal users: every helpdesk user; "
        "customers and the portal users following a ticket see it in their "
        "portal.\n"
        "Helpdesk administrators see every ticket.",
    )
    ticket_properties_definition = fields.PropertiesDefinition("Ticket Properties")

    # Channels
    use_alias = fields.Boolean(
        string="Email Alias",
        default=True,
        help="Create tickets from the emails sent to the team's alias.",
    )
    use_livechat = fields.Boolean(
        string="Live Chat", help="Turn live chat conversations into tickets."
    )
    use_website_form = fields.Boolean(
        string="Website Form", help="Publish a ticket submission form on the website."
    )
    livechat_addon_installed = fields.Boolean(
        compute="_compute_channel_addons_installed"
    )
    website_addon_installed = fields.Boolean(
        compute="_compute_channel_addons_installed"
    )
    has_alias_domain = fields.Boolean(compute="_compute_has_alias_domain")
    alias_email = fields.Char(string="Alias Address")

    # SLA
    use_sla = fields.Boolean(
        string="SLA Policies",
        default=True,
        help="Give tickets deadlines from the team's SLA policies.",
    )
    sla_ids = fields.One2many("helpdesk.sla", "team_id", string="Policies")
    sla_failed_count = fields.Integer(
        string="SLA Failed",
        compute="_compute_sla_stats",
        help="Open tickets with a failed SLA.",
    )
    sla_success_rate = fields.Float(
        string="% On Time",
        compute="_compute_sla_stats",
        help="SLAs of the last 30 days reached in time, among those reached or failed.",
    )
    sla_success_rate_display = fields.Char(
        string="On Time",
        compute="_compute_sla_stats",
        help="The rate of SLAs on time, or a dash when none was reached or "
        "failed in the last 30 days.",
    )

    # Customer communication
    reply_to_closed = fields.Selection(
        [
            ("new", "Open a new ticket"),
            ("reopen", "Reopen the ticket"),
        ],
        string="Replies to Closed Tickets",
        default="new",
        required=True,
        help="What happens when a customer writes again about a closed ticket.",
    )
    use_acknowledgement = fields.Boolean(
        string="Acknowledgement",
        default=True,
        help="Email the customer the ticket reference when a ticket is created.",
    )
    ack_template_id = fields.Many2one(
        "mail.template",
        string="Acknowledgement Template",
        domain=[("model", "=", "helpdesk.ticket")],
        default=lambda self: self._default_ack_template(),
    )
    trust_unauthenticated_email = fields.Boolean(
        string="Trust Unauthenticated Emails",
        default=True,
        help="Emails without a DMARC result from the receiving mail server "
        "still thread by the ticket reference in their subject, and "
        "employees' forwards are still attributed to the original sender. "
        "Emails that failed DMARC never are.",
    )

    # Spam
    use_spam_headers = fields.Boolean(
        string="Spam Verdicts",
        default=True,
        help="Keep in Spam the emails the mail server flagged as spam "
        "(X-Spam-Flag, X-Spam-Status) or scored from the threshold up "
        "(X-Spam-Score, X-Rspamd-Score).",
    )
    spam_score_threshold = fields.Float(
        default=5.0,
        help="Emails scored this much or more by the mail server are kept in "
        "Spam; 0 ignores the scores and only reads the spam flags.",
    )
    max_email_size = fields.Integer(
        string="Maximum Email Size (MB)",
        default=25,
        help="Emails larger than this still open a ticket with their text; "
        "the files over the limit are not kept, and the acknowledgement tells "
        "the customer which ones. 0: no limit.",
    )
    _max_email_size_not_negative = models.Constraint(
        "CHECK(max_email_size >= 0)",
        "The maximum email size cannot be negative.",
    )
    portal_allow_close = fields.Boolean(
        string="Closing from the Portal",
        help="Customers may close their own tickets from the portal.",
    )

    # Dashboard
    open_ticket_count = fields.Integer(compute="_compute_ticket_counts")
    unassigned_ticket_count = fields.Integer(compute="_compute_ticket_counts")
    urgent_ticket_count = fields.Integer(compute="_compute_ticket_counts")
    email_today_count = fields.Integer(compute="_compute_today_counts")
    livechat_today_count = fields.Integer(compute="_compute_today_counts")
    website_today_count = fields.Integer(compute="_compute_today_counts")
    closed_recent_count = fields.Integer(
        string="Closed in 7 Days", compute="_compute_closed_recent_count"
    )

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------

    def _compute_channel_addons_installed(self):
        installed = set(
            self.env["ir.module.module"]
            .sudo()
            .search(
                [
                    ("name", "in", list(CHANNEL_ADDONS.values())),
                    ("state", "=", "installed"),
                ]
            )
            .mapped("name")
        )
        self.livechat_addon_installed = CHANNEL_ADDONS["use_livechat"] in installed
        self.website_addon_installed = CHANNEL_ADDONS["use_website_form"] in installed

    def _compute_has_alias_domain(self):
        self.has_alias_domain = bool(
            self.env["mail.alias.domain"].sudo().search_count([], limit=1)
        )

    def _teams_readable_in_full(self):
        """The teams of ``self`` whose tickets the user may all read, by the
        team visibility rules: administrators read every team, helpdesk users
        the teams not restricted to invited users and the restricted ones
        they are a member or follower of."""
        user = self.env.user
        if user.has_group("helpdesk_intake.group_helpdesk_manager"):
            return self
        if not user.has_group("helpdesk_intake.group_helpdesk_user"):
            return self.browse()
        return self.filtered(
            lambda team: (
                team.privacy_visibility != "invited_internal"
                or user in team.member_ids
                or user.partner_id in team.message_partner_ids
            )
        )

    def _read_group_readable(self, model, domain, groupby, aggregates):
        """``_read_group`` of the records of ``model`` (tickets or SLA
        statuses, by ``team_id``) of these teams that the user may read.

        The per-ticket visibility rule joins every ticket to its team and
        followers, which makes counting a big backlog scan the whole ticket
        table. Teams the user reads in full are counted without it, within
        the user's companies like the company rules; the other teams keep the
        rule, so that their counters hold only the tickets the user sees."""
        Model = self.env[model]
        domain = Domain(domain)
        if self.env.su:
            return Model._read_group(
                domain & Domain("team_id", "in", self.ids), groupby, aggregates
            )
        in_full = self._teams_readable_in_full()
        groups = []
        if in_full:
            groups += Model.sudo()._read_group(
                domain
                & Domain("team_id", "in", in_full.ids)
                & Domain("company_id", "in", self.env.companies.ids),
                groupby,
                aggregates,
            )
        if self - in_full:
            groups += Model._read_group(
                domain & Domain("team_id", "in", (self - in_full).ids),
                groupby,
                aggregates,
            )
        return groups

    def _compute_ticket_counts(self):
        # One grouped query for every card of the dashboard.
        groups = self._read_group_readable(
            "helpdesk.ticket",
            Domain("is_closed", "=", False) & Domain("is_spam", "=", False),
            ["team_id", "priority"],
            ["__count", "user_id:count"],
        )
        counts = defaultdict(lambda: {"open": 0, "unassigned": 0, "urgent": 0})
        for team, priority, count, assigned in groups:
            team_counts = counts[team.id]
            team_counts["open"] += count
            team_counts["unassigned"] += count - assigned
            if priority == "3":
                team_counts["urgent"] += count
        for team in self:
            team.open_ticket_count = counts[team.id]["open"]
            team.unassigned_ticket_count = counts[team.id]["unassigned"]
            team.urgent_ticket_count = counts[team.id]["urgent"]

    def _compute_today_counts(self):
        # Midnight of the user's day, in UTC like create_date.
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        local_midnight = datetime.combine(fields.Date.context_today(self), time.min)
        today = tz.localize(local_midnight).astimezone(pytz.utc).replace(tzinfo=None)
        groups = self._read_group_readable(
            "helpdesk.ticket",
            Domain("create_date", ">=", today) & Domain("is_spam", "=", False),
            ["team_id", "intake_channel"],
            ["__count"],
        )
        counts = {(team.id, channel): count for team, channel, count in groups}
        for team in self:
            team.email_today_count = counts.get((team.id, "email"), 0)
            team.livechat_today_count = counts.get((team.id, "livechat"), 0)
            team.website_today_count = counts.get((team.id, "website"), 0)

    def _open_tickets_query(self):
        # Only names the open tickets, through their index: the statuses
        # counted with it keep their own rule.
        return self.env["helpdesk.ticket"].sudo()._search([("is_closed", "=", False)])

    def _compute_sla_stats(self):
        Status = self.env["helpdesk.sla.status"]
        now = fields.Datetime.now()
        failed_open = dict(
            self._read_group_readable(
                "helpdesk.sla.status",
                Domain(Status._failed_domain(now))
                & Domain("ticket_id", "in", self._open_tickets_query()),
                ["team_id"],
                ["__count"],
            )
        )
        # Statuses of the period that are settled: reached, or failed as of now.
        settled = self._read_group_readable(
            "helpdesk.sla.status",
            Domain("create_date", ">=", now - timedelta(days=SLA_RATE_DAYS))
            & (Domain("status", "!=", "ongoing") | Domain("deadline", "<", now)),
            ["team_id", "status"],
            ["__count"],
        )
        reached, done = defaultdict(int), defaultdict(int)
        for team, status, count in settled:
            done[team] += count
            if status == "reached":
                reached[team] += count
        for team in self:
            team.sla_failed_count = failed_open.get(team, 0)
            team.sla_success_rate = (
                100.0 * reached[team] / done[team] if done[team] else 0.0
            )
            # a rate of nothing measured is no 0%
            team.sla_success_rate_display = (
                f"{round(team.sla_success_rate)}%" if done[team] else "\u2013"
            )

    def _compute_closed_recent_count(self):
        since = fields.Datetime.now() - timedelta(days=CLOSED_RECENT_DAYS)
        counts = dict(
            self._read_group_readable(
                "helpdesk.ticket",
                Domain("is_closed", "=", True) & Domain("close_date", ">=", since),
                ["team_id"],
                ["__count"],
            )
        )
        for team in self:
            team.closed_recent_count = counts.get(team, 0)

    def write(self, vals):
        old_names = {team: team.name for team in self} if "name" in vals else {}
        res = super().write(vals)
        for team, old_name in old_names.items():
            if team.name != old_name:
                team._team_follow_renaming(old_name)
        if "use_sla" in vals:
            self.with_context(active_test=False).ticket_ids.filtered(
                lambda ticket: not ticket.is_closed
            )._sla_apply()
        return res

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        taken = set()
        for vals in vals_list:
            if not vals.get("alias_name") and vals.get("name"):
                vals["alias_name"] = self._unique_alias_name(vals["name"], taken)
                taken.add(vals["alias_name"])
        return super().create(vals_list)

    def _team_named_records(self):
        """Records named after the team, which follow its renaming: a list of
        recordsets, each of one model with a ``name`` field. Addons add the
        records they create with the team's name (with the access rights to
        rename them). Each one is renamed while it still has the team's old
        name: a record renamed on its own keeps its name."""
        self.ensure_one()
        return []

    def _team_follow_renaming(self, old_name):
        self.ensure_one()
        for recordset in self._team_named_records():
            recordset.filtered(lambda record: record.name == old_name).name = self.name

    @api.model
    def _unique_alias_name(self, team_name, taken=()):
        Alias = self.env["mail.alias"].sudo()
        base = Alias._sanitize_alias_name(team_name) or "helpdesk"
        used = set(
            Alias.search([("alias_name", "=like", f"{base}%")]).mapped("alias_name")
        )
        used.update(taken)
        candidate, index = base, 1
        while candidate in used:
            index += 1
            candidate = f"{base}-{index}"
        return candidate

    # ------------------------------------------------------------
    # MAIL GATEWAY
    # ------------------------------------------------------------

    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get("helpdesk.ticket").id
        if self.id:
            values["alias_defaults"] = defaults = literal_eval(
                self.alias_defaults or "{}"
            )
            defaults["team_id"] = self.id
        return values

    def _alias_get_error(self, message, message_dict, alias):
        # The alias keeps its name while the channel is off, so that turning the
        # toggle back on restores the very same address.
        if alias.alias_parent_model_id.model == self._name and not self.use_alias:
            return AliasError(
                "helpdesk_alias_disabled",
                self.env._("this address does not accept new tickets at the moment"),
            )
        return super()._alias_get_error(message, message_dict, alias)

    # ------------------------------------------------------------
    # ASSIGNMENT
    # ------------------------------------------------------------

    def _next_assignees(self, count, candidates=None):
        """Return ``count`` users to assign new tickets to, following the
        team's assignment method (empty users for manual assignment), among
        the members on duty (see ``_members_on_duty``).

        :param candidates: users to pick from instead of all members (those
            of a tag rule); they are picked by balanced load when the team
            assigns manually
        """
        self.ensure_one()
        method = self.assign_method
        no_user = self.env["res.users"]
        if method == "manual" and candidates is None:
            return [no_user] * count
        if candidates is None:
            members = self.member_ids
        else:
            members = candidates
            method = "balanced" if method == "manual" else method
        members = members.filtered("active").sorted("id")
        if method == "manual" or not members:
            return [no_user] * count
        on_duty = self._members_on_duty(members)
        if method == "balanced":
            loads = dict.fromkeys(on_duty.ids, 0)
            groups = self.env["helpdesk.ticket"]._read_group(
                [
                    ("team_id", "=", self.id),
                    ("is_closed", "=", False),
                    ("user_id", "in", on_duty.ids),
                ],
                ["user_id"],
                ["__count"],
            )
            loads.update({user.id: n for user, n in groups})
            picked = []
            for _i in range(count):
                user_id = min(loads, key=lambda uid: (loads[uid], uid))
                loads[user_id] += 1
                picked.append(members.browse(user_id))
            return picked
        # tickets without an assignment date are no turn of anyone (and
        # would come first in that order)
        last = self.env["helpdesk.ticket"].search(
            [
                ("team_id", "=", self.id),
                ("assign_date", "!=", False),
                ("user_id", "in", members.ids),
            ],
            order="assign_date desc, id desc",
            limit=1,
        )
        # the turn goes round all members; those off duty pass theirs
        start = members.ids.index(last.user_id.id) + 1 if last else 0
        turns = [members[(start + i) % len(members)] for i in range(len(members))]
        turns = [user for user in turns if user in on_duty]
        return [turns[i % len(turns)] for i in range(count)]

    def _members_on_duty(self, members):
        """The ``members`` working now, after their working hours and leaves
        (time off included); when none is, those working on the next working
        day, so that tickets wait for them rather than for nobody. A member
        without working hours of their own follows the team's; a member whose
        resource has no calendar works at any time."""
        self.ensure_one()
        now = pytz.utc.localize(fields.Datetime.now())
        team_calendar = (
            self.resource_calendar_id or self.company_id.resource_calendar_id
        )
        by_calendar = defaultdict(list)
        for user in members.sudo():
            resource = (
                user.resource_ids.filtered(
                    lambda r, company=self.company_id: r.company_id == company
                )[:1]
                or user.resource_ids[:1]
            )
            calendar = resource.calendar_id if resource else team_calendar
            by_calendar[calendar].append((user, resource))
        starts = {}
        for calendar, pairs in by_calendar.items():
            if not calendar:
                starts.update({user.id: now for user, _resource in pairs})
                continue
            resources = self.env["resource.resource"].union(
                *(resource for _user, resource in pairs)
            )
            firsts = calendar.sudo()._first_work_starts(
                now, now + timedelta(days=AVAILABILITY_DAYS), resources
            )
            starts.update(
                {user.id: firsts[resource.id or False] for user, resource in pairs}
            )
        on_duty = members.filtered(
            lambda user: starts[user.id] and starts[user.id] <= now
        )
        if on_duty:
            return on_duty
        known = [start for start in starts.values() if start]
        if not known:
            return members
        tz = pytz.timezone(team_calendar.tz or "UTC") if team_calendar else pytz.utc
        next_day = min(known).astimezone(tz).date()
        return members.filtered(
            lambda user: (
                starts[user.id] and starts[user.id].astimezone(tz).date() == next_day
            )
        )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_install_channel_addon(self):
        """Install the addon behind a channel toggle, the way settings install
        the ``module_*`` options."""
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(
                self.env._("Only administrators can install applications.")
            )
        addon = CHANNEL_ADDONS.get(self.env.context.get("channel_field"))
        module = (
            self.env["ir.module.module"].search([("name", "=", addon)])
            if addon
            else None
        )
        if not module:
            raise AccessError(
                self.env._("This channel is not available in this database.")
            )
        return module.button_immediate_install()

    def _action_tickets(self, domain=(), context=None):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_intake.helpdesk_ticket_action"
        )
        action["domain"] = (
            Domain("team_id", "in", self.ids)
            & Domain("is_spam", "=", False)
            & Domain(list(domain))
        )
        action["context"] = {
            "default_team_id": self[:1].id,
            "default_intake_channel": "manual",
            **(context or {}),
        }
        if len(self) == 1:
            action["display_name"] = self.display_name
        return action

    def action_view_open_tickets(self):
        return self._action_tickets([("is_closed", "=", False)])

    def action_view_unassigned_tickets(self):
        return self._action_tickets(
            [("is_closed", "=", False), ("user_id", "=", False)]
        )

    def action_view_urgent_tickets(self):
        return self._action_tickets([("is_closed", "=", False), ("priority", "=", "3")])

    def action_view_closed_recent_tickets(self):
        since = fields.Datetime.now() - timedelta(days=CLOSED_RECENT_DAYS)
        return self._action_tickets(
            [("is_closed", "=", True), ("close_date", ">=", since)]
        )

    def action_view_sla_failed_tickets(self):
        return self._action_tickets(
            [("is_closed", "=", False), ("sla_fail", "=", True)]
        )
