from odoo import api, fields, models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    partner_company_name = fields.Char(
        string="Company Name",
        help="Company the customer named in the website form.",
    )

    @api.model
    def _website_form_safe_fields(self):
        """Fields a website visitor may fill in: the one list of them.

        The module registers it as the form builder's whitelist of tickets
        (data/ir_model_data.xml), and caps with it the fields that the website
        editor offers and that a form may write (``ir.model``
        ``get_authorized_fields``): website designers whitelist any field they
        drop in a form when they save it, so the cap, not the whitelist, keeps
        staff fields (assignee, stage, priority, company...) out of visitors'
        hands. The team is safe because the form controller checks it against
        the page's website and publication.
        """
        return {
            "name",
            "description",
            "partner_name",
            "partner_email",
            "partner_phone",
            "partner_company_name",
            "team_id",
        }
