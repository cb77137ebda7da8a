from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.mail.tools.discuss import Store


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _inherit = "helpdesk.ticket"

    origin_channel_id = fields.Many2one(
        "discuss.channel",
        string="Live Chat Conversation",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="Live chat conversation the ticket was created from.",
    )
    origin_chatbot_script_id = fields.Many2one(
        "chatbot.script",
        string="Chatbot",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="Chatbot that created the ticket in a live chat conversation.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_origin_channel_access(
            vals.get("origin_channel_id") for vals in vals_list
        )
        return super().create(vals_list)

    def write(self, vals):
        self._check_origin_channel_access([vals.get("origin_channel_id")])
        return super().write(vals)

    @api.model
    def _check_origin_channel_access(self, channel_ids):
        # Helpdesk users may read the conversations of their tickets: linking a
        # ticket to a conversation must not be a way to read someone else's.
        channels = self.env["discuss.channel"].browse(
            {cid for cid in channel_ids if cid}
        )
        if channels and not channels.has_access("read"):
            raise AccessError(
                self.env._(
                    "You cannot link a ticket to a conversation you cannot read."
                )
            )

    def _helpdesk_backend_url(self):
        """The ticket in the Helpdesk app, menu included."""
        self.ensure_one()
        return f"/odoo/action-helpdesk_intake.helpdesk_ticket_action/{self.id}"

    def _helpdesk_backend_link(self):
        # data-oe-model/id: Discuss opens the ticket in the app on click.
        self.ensure_one()
        return Markup(
            '<a href="%s" data-oe-model="helpdesk.ticket" data-oe-id="%s">%s</a>'
        ) % (self._helpdesk_backend_url(), self.id, self.display_name)

    def action_open_origin_channel(self):
        """Open the conversation of the ticket in a chat window."""
        self.ensure_one()
        Store(bus_channel=self.env.user).add(
            self.origin_channel_id, extra_fields={"open_chat_window": True}
        ).bus_send()
