from datetime import timedelta

from odoo import api, fields, models

# New visitor sessions one client network may start per hour and team form
# in the suggestion counters (system parameter, 0 for no limit).
DEFLECTION_LIMIT_KEY = "helpdesk_intake_website_forum.deflection_limit"
DEFLECTION_LIMIT_DEFAULT = 30


class HelpdeskIntakeThrottle(models.Model):
    _name = "helpdesk.intake.throttle"
    _inherit = "helpdesk.intake.throttle"

    scope = fields.Selection(
        selection_add=[("deflection", "Suggestion Counters")],
        ondelete={"deflection": "cascade"},
    )

    @api.model
    def _limit(self, scope):
        if scope != "deflection":
            return super()._limit(scope)
        value = self.env["ir.config_parameter"].sudo().get_param(DEFLECTION_LIMIT_KEY)
        try:
            count = int(value) if value else DEFLECTION_LIMIT_DEFAULT
        except ValueError:
            count = DEFLECTION_LIMIT_DEFAULT
        return count, timedelta(hours=1)
