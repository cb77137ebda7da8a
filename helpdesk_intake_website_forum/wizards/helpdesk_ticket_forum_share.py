from odoo import api, fields, models
from odoo.exceptions import UserError


class HelpdeskTicketForumShare(models.TransientModel):
    """The question a ticket becomes on its team's forum, shown to the agent
    before it is published: what the ticket asks, without the customer."""

    _name = "helpdesk.ticket.forum.share"
    _description = "Share a Ticket on the Team's Forum"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, readonly=True, ondelete="cascade"
    )
    forum_id = fields.Many2one(related="ticket_id.team_website_forum_id")
    name = fields.Char(
        string="Question",
        compute="_compute_question",
        store=True,
        readonly=False,
        required=True,
    )
    content = fields.Html(
        string="Details",
        compute="_compute_question",
        store=True,
        readonly=False,
    )

    @api.depends("ticket_id")
    def _compute_question(self):
        for wizard in self:
            values = wizard.ticket_id._forum_question_values()
            wizard.name = values["name"]
            wizard.content = values["content"]

    def action_share(self):
        """Publish the question on the team's forum, linked to the ticket, and
        show it on the website."""
        self.ensure_one()
        ticket = self.ticket_id
        ticket.check_access("write")
        if not self.forum_id:
            raise UserError(
                self.env._("The team of this ticket has no forum to share it on.")
            )
        # sudo: forum.post - agents publish on their team's forum on behalf of
        # the team: the forum's karma ladder (to ask, to post without review)
        # is meant for community members. sudo() keeps the agent as author.
        post = (
            self.env["forum.post"]
            .sudo()
            .create(
                {
                    "forum_id": self.forum_id.id,
                    "name": self.name,
                    "content": self.content,
                }
            )
        )
        ticket.forum_post_id = post
        return post.go_to_website()
