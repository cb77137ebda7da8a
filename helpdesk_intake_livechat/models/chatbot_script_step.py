from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import html2plaintext

from odoo.addons.helpdesk_intake.tools import TITLE_MAX_LENGTH, ticket_title

from .chatbot_script import CHECK_STEPS_ON_SCRIPT


class ChatbotScriptStep(models.Model):
    _name = "chatbot.script.step"
    _inherit = "chatbot.script.step"

    step_type = fields.Selection(
        selection_add=[("create_ticket", "Create Ticket")],
        ondelete={"create_ticket": "cascade"},
    )
    helpdesk_customer_name = fields.Boolean(
        string="Customer Name",
        help="The visitor's answer to this step is their name: tickets and "
        "contacts the chatbot creates are named after it.",
    )
    helpdesk_team_id = fields.Many2one(
        "helpdesk.team",
        ondelete="set null",
        index="btree_not_null",
        help="Team of the tickets created by this step. When empty, the team "
        "taking the tickets of the conversation's live chat channel.",
    )

    @api.constrains("step_type", "sequence", "chatbot_script_id")
    def _check_helpdesk_email_before_ticket(self):
        # Steps written one by one, not through their script, are held to
        # the script's rule too.
        if not self.env.context.get(CHECK_STEPS_ON_SCRIPT):
            self.chatbot_script_id._check_helpdesk_email_before_ticket()

    def _process_step(self, discuss_channel):
        self.ensure_one()
        if self.step_type != "create_ticket":
            return super()._process_step(discuss_channel)
        ticket, refusal = self._chatbot_ticket(discuss_channel)
        if refusal:
            message = Markup("<p>%s</p>") % refusal
        else:
            message = Markup(self.message or "")
        if ticket:
            message += Markup("<p>%s</p>") % self.env._(
                "Your ticket reference is %(reference)s.", reference=f"#{ticket.ref}"
            )
        return discuss_channel._chatbot_post_message(self.chatbot_script_id, message)

    def _chatbot_ticket(self, discuss_channel):
        """(ticket, refusal) of the conversation: the ticket an earlier run of
        the script created (restarting the bot makes no second one), else a
        new one, unless the visitor is over the limits that public channels
        share (refusal: the message saying so)."""
        # Two triggers of the step at once wait for each other here.
        discuss_channel.sudo().lock_for_update()
        # sudo: helpdesk.ticket - the visitor may not read the tickets.
        ticket = discuss_channel.sudo().helpdesk_ticket_ids[:1]
        if ticket:
            return ticket, None
        return self._chatbot_create_ticket(discuss_channel)

    def _chatbot_create_ticket(self, discuss_channel):
        """(ticket, refusal): a ticket from the visitor's answers (email and
        phone questions for the contact, the first free input for the title,
        the conversation so far for the description), or the refusal over
        the rate limits."""
        # The visitor runs the script, often as the public user: the ticket is
        # created by the superuser so that the public partner does not follow it.
        Ticket = (
            self.env["helpdesk.ticket"]
            .with_user(SUPERUSER_ID)
            .with_context(mail_create_nosubscribe=True)
        )
        team = (
            self.helpdesk_team_id
            or discuss_channel._helpdesk_livechat_team()
            or Ticket._default_team_id()
        )
        if not team:
            return Ticket, None
        values = discuss_channel._helpdesk_ticket_values(team, update_partner=True)
        email = values.get("partner_email") or (
            Ticket.env["res.partner"].browse(values.get("partner_id")).email
        )
        refusal = Ticket._intake_rate_limit_refusal(
            self.env.context.get("helpdesk_client_ip"), email
        )
        if refusal:
            return Ticket.browse(), refusal
        values["name"] = self._chatbot_ticket_title(discuss_channel)
        values["origin_chatbot_script_id"] = self.chatbot_script_id.id
        ticket = Ticket.create(values)
        discuss_channel._helpdesk_ticket_created(
            ticket, author=self.chatbot_script_id.operator_partner_id
        )
        return ticket, None

    def _chatbot_ticket_title(self, discuss_channel):
        # sudo: chatbot.message - the visitor's own answers; their name is
        # no title.
        answer = (
            discuss_channel.sudo()
            .chatbot_message_ids.filtered(
                lambda m: (
                    m.script_step_id.step_type
                    in ("free_input_single", "free_input_multi")
                    and not m.script_step_id.helpdesk_customer_name
                    and m.user_raw_answer
                )
            )
            .sorted("id")[:1]
        )
        for line in html2plaintext(answer.user_raw_answer or "").splitlines():
            if line.strip():
                return ticket_title(line, TITLE_MAX_LENGTH)
        return self.env._("Live chat with %(visitor)s", visitor=discuss_channel.name)
