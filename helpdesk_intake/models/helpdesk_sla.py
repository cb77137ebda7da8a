from odoo import api, fields, models

from .helpdesk_ticket import TICKET_PRIORITIES


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
