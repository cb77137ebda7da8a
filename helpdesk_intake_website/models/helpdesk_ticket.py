from odoo import api, models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    @api.model
    def _website_form_safe_fields(self):
        """Fields a website visitor may fill in.

        Website designers whitelist any field they drop in a form when they
        save it, so this list, not the whitelist alone, is what keeps staff
        fields (assignee, stage, priority, company...) out of visitors' hands.
        The team is safe because the form controller checks it against the
        page's website and publication.
        """
        return {
            "name",
            "description",
            "partner_name",
            "partner_email",
            "partner_phone",
            "team_id",
        }
