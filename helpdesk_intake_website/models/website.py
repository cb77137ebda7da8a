from odoo import fields, models

HELP_CENTER_URL = "/helpdesk"


class Website(models.Model):
    _inherit = "website"

    helpdesk_menu_id = fields.Many2one(
        "website.menu",
        string="Help Menu",
        readonly=True,
        ondelete="set null",
        help="Menu entry of the Help Center, shown while a team's form is "
        "published on the website.",
    )

    def _helpdesk_sync_menu(self):
        """Add the Help menu entry to the websites whose Help Center lists a
        team, remove it from the others. A designer may move or rename it."""
        Team = self.env["helpdesk.team"].sudo()
        for website in self.sudo():
            listed = Team.search_count(
                Team._website_help_center_domain(website), limit=1
            )
            menu = website.helpdesk_menu_id
            if listed and not menu:
                website.helpdesk_menu_id = (
                    self.env["website.menu"]
                    .sudo()
                    .create(
                        {
                            "name": self.env._("Help"),
                            "url": HELP_CENTER_URL,
                            "parent_id": website.menu_id.id,
                            "website_id": website.id,
                            "sequence": 60,
                        }
                    )
                )
            elif menu and not listed:
                menu.unlink()
