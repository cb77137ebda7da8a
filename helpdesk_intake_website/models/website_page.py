from odoo import api, fields, models


class WebsitePage(models.Model):
    _inherit = "website.page"

    helpdesk_team_ids = fields.One2many(
        "helpdesk.team", "website_page_id", string="Helpdesk Teams", readonly=True
    )

    @api.model
    def _allow_to_use_cache(self, request):
        # A team page shows the team's name and description and must stop
        # accepting tickets as soon as the team switches its form off: the
        # page cache only follows changes of the page's own view.
        return super()._allow_to_use_cache(request) and not (
            self and self.sudo().helpdesk_team_ids
        )
