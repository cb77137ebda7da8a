from odoo import api, fields, models

from .helpdesk_ticket import TICKET_PRIORITIES

# Changing one of these changes which open tickets the policy applies to.
MATCHING_FIELDS = {"active", "team_id", "priority", "tag_ids", "partner_ids"}
# Changing one of these moves the deadlines of the tickets it applies to.
TARGET_FIELDS = {"time_days", "time_hours", "resource_calendar_id"}
# Changing one of these changes which stage pauses or meets the policy.
STAGE_FIELDS = {"stage_id", "exclude_stage_ids"}


class HelpdeskSla(models.Model):
    _name = "helpdesk.sla"
    _description = "Helpdesk SLA Policy"
    _order = "team_id, priority desc, id"

    name = fields.Char(string="Title", required=True, translate=True)
    description = fields.Html(translate=True)
    active = fields.Boolean(default=True)
    team_id = fields.Many2one(
        "helpdesk.team", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="team_id.company_id", store=True, index=True)
    priority = fields.Selection(
        TICKET_PRIORITIES,
        default="0",
        required=True,
        help="The policy applies to the tickets of this priority only.",
    )
    tag_ids = fields.Many2many(
        "helpdesk.tag",
        string="Tags",
        help="When set, tickets must carry one of these tags.",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        help="When set, the policy applies to these customers only.",
    )
    stage_id = fields.Many2one(
        "helpdesk.stage",
        string="Reach Stage",
        required=True,
        domain="[('team_ids', 'in', team_id)]",
        help="The policy is met when the ticket reaches this stage (or a later one).",
    )
    exclude_stage_ids = fields.Many2many(
        "helpdesk.stage",
        relation="helpdesk_sla_exclude_stage_rel",
        string="Excluding Stages",
        domain="[('team_ids', 'in', team_id)]",
        help="Time spent in these stages does not count (waiting for the customer).",
    )
    time_days = fields.Integer(string="Days", default=0)
    time_hours = fields.Float(string="Hours", default=0.0)
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        compute="_compute_resource_calendar_id",
        store=True,
        readonly=False,
        help="Deadlines count working time of this calendar, honouring its leaves.",
    )

    _target_positive = models.Constraint(
        "CHECK(time_days >= 0 AND time_hours >= 0)",
        "The target time of an SLA policy cannot be negative.",
    )

    @api.depends("team_id")
    def _compute_resource_calendar_id(self):
        for sla in self:
            sla.resource_calendar_id = (
                sla.team_id.resource_calendar_id
                or sla.team_id.company_id.resource_calendar_id
            )

    @api.model_create_multi
    def create(self, vals_list):
        policies = super().create(vals_list)
        policies._open_tickets(policies.team_id)._sla_apply()
        return policies

    def write(self, vals):
        teams = self.team_id
        res = super().write(vals)
        if MATCHING_FIELDS.intersection(vals):
            self._open_tickets(teams | self.team_id)._sla_apply()
        statuses = self._ongoing_statuses()
        if STAGE_FIELDS.intersection(vals):
            statuses._update_for_stage(fields.Datetime.now())
        if TARGET_FIELDS.intersection(vals):
            statuses.filtered(
                lambda status: not status.paused_since
            )._replan_deadlines()
        return res

    def _open_tickets(self, teams):
        """Open tickets of ``teams``, whatever their assignee or visibility:
        a policy applies to all of them, not to what its editor can see."""
        return (
            self.env["helpdesk.ticket"]
            .sudo()
            .with_context(active_test=False)
            .search([("team_id", "in", teams.ids), ("is_closed", "=", False)])
        )

    def _ongoing_statuses(self):
        return (
            self.env["helpdesk.sla.status"]
            .sudo()
            .search([("sla_id", "in", self.ids), ("status", "=", "ongoing")])
        )

    def _target_hours(self):
        """Target time in working hours; a day is one working day of the calendar."""
        self.ensure_one()
        hours_per_day = self.resource_calendar_id.hours_per_day or 24.0
        return self.time_days * hours_per_day + self.time_hours

    def _criteria(self):
        """(priority, tag ids, customer ids) a ticket must match; empty sets
        match any ticket."""
        self.ensure_one()
        return self.priority, set(self.tag_ids.ids), set(self.partner_ids.ids)
