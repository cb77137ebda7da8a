from urllib.parse import urlencode

from odoo import fields, models

from .helpdesk_team import QUESTION_PARAMETER

HELP_CENTER_URL = "/helpdesk"


class ForumForum(models.Model):
    _name = "forum.forum"
    _inherit = "forum.forum"

    helpdesk_team_ids = fields.One2many(
        "helpdesk.team",
        "website_forum_id",
        string="Helpdesk Teams",
        readonly=True,
        groups="helpdesk_intake.group_helpdesk_user",
    )

    def _helpdesk_contact_url(self, website, question=None):
        """Where the Contact us button of the forum's pages leads visitors of
        ``website``, or False for no button: the ticket form of the forum's
        team (with the subject prefilled from ``question``), else the Help
        Center when it lists other forms, never a page visitors cannot open."""
        self.ensure_one()
        # sudo: helpdesk.team - visitors of the forum read which team answers it
        team = self.sudo().helpdesk_team_ids.filtered("use_website_forum")[:1]
        if not team:
            return False
        if team._website_form_accepts_tickets(website):
            url = team.website_url
            if question and question.forum_id == self and not question.parent_id:
                url += "?" + urlencode({QUESTION_PARAMETER: question.id})
            return url
        Team = self.env["helpdesk.team"].sudo()
        help_center = Team.search_count(
            Team._website_help_center_domain(website), limit=1
        )
        return HELP_CENTER_URL if help_center else False
