from odoo import fields, models


class ForumPost(models.Model):
    _name = "forum.post"
    _inherit = "forum.post"

    # the suggestions of the teams' help pages and ticket forms search titles
    name = fields.Char(index="trigram")
    helpdesk_ticket_ids = fields.One2many(
        "helpdesk.ticket",
        "forum_post_id",
        string="Helpdesk Tickets",
        readonly=True,
        groups="helpdesk_intake.group_helpdesk_user",
        help="Tickets this question answers.",
    )
