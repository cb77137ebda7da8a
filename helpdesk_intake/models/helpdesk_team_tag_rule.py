from odoo import api, fields, models


class HelpdeskTeamTagRule(models.Model):
    _name = "helpdesk.team.tag.rule"
    _description = "Helpdesk Tag Dispatch Rule"
    _order = "team_id, sequence, id"

    sequence = fields.Integer(default=10)
    team_id = fields.Many2one(
        "helpdesk.team", required=True, index=True, ondelete="cascade"
    )
    tag_ids = fields.Many2many(
        "helpdesk.tag",
        string="Tags",
        required=True,
        help="Tickets carrying one of these tags go to the rule's members.",
    )
    user_ids = fields.Many2many(
        "res.users",
        string="Members",
        required=True,
        domain="[('id', 'in', team_member_ids)]",
        help="Members the tickets are assigned among, by the team's method "
        "(balanced when the team assigns manually).",
    )
    team_member_ids = fields.Many2many(
        related="team_id.member_ids", string="Team Members"
    )

    @api.model
    def _match(self, team, tag_ids):
        """The first rule of ``team`` that one of ``tag_ids`` triggers."""
        tag_ids = set(tag_ids)
        if not tag_ids:
            return self.browse()
        return team.tag_rule_ids.filtered(lambda rule: tag_ids & set(rule.tag_ids.ids))[
            :1
        ]
