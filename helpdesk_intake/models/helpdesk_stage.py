from odoo import fields, models


class HelpdeskStage(models.Model):
    _name = "helpdesk.stage"
    _description = "Helpdesk Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    fold = fields.Boolean(
        string="Closing Stage",
        help="Tickets in a folded stage are closed: the column is folded in the "
        "kanban view and the ticket counts as solved.",
    )
    team_ids = fields.Many2many(
        "helpdesk.team",
        relation="helpdesk_stage_team_rel",
        string="Teams",
        help="Teams whose tickets go through this stage.",
    )
    template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain=[("model", "=", "helpdesk.ticket")],
        help="Email sent to the customer when a ticket enters this stage.",
    )
