from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import html2plaintext

# In the context while a script writes its steps: they are checked together,
# once all are written, not one by one in between (a reorder moves several).
CHECK_STEPS_ON_SCRIPT = "helpdesk_check_steps_on_script"


class ChatbotScript(models.Model):
    _name = "chatbot.script"
    _inherit = "chatbot.script"

    helpdesk_ticket_count = fields.Integer(
        string="Tickets", compute="_compute_helpdesk_ticket_count"
    )

    def _compute_helpdesk_ticket_count(self):
        # sudo: helpdesk.ticket - live chat managers count the tickets of
        # their bots without reading them.
        counts = dict(
            self.env["helpdesk.ticket"]
            .sudo()
            .with_context(active_test=False)
            ._read_group(
                [("origin_chatbot_script_id", "in", self.ids)],
                ["origin_chatbot_script_id"],
                ["__count"],
            )
        )
        for script in self:
            script.helpdesk_ticket_count = counts.get(script, 0)

    @api.model_create_multi
    def create(self, vals_list):
        scripts = super(
            ChatbotScript, self.with_context(**{CHECK_STEPS_ON_SCRIPT: True})
        ).create(vals_list)
        return scripts.with_env(self.env)

    def write(self, vals):
        return super(
            ChatbotScript, self.with_context(**{CHECK_STEPS_ON_SCRIPT: True})
        ).write(vals)

    @api.constrains("script_step_ids")
    def _check_helpdesk_email_before_ticket(self):
        for script in self:
            ticket_step = script._helpdesk_ticket_step_without_email()
            if ticket_step:
                raise ValidationError(
                    self.env._(
                        "In the chatbot “%(script)s”, the step “%(step)s” creates a "
                        "ticket before the visitor is asked their email: add a step "
                        "of type Email before it, so that the helpdesk can answer.",
                        script=script.title,
                        step=html2plaintext(ticket_step.message or "")
                        or ticket_step.display_name,
                    )
                )

    def _helpdesk_ticket_step_without_email(self):
        """The first Create Ticket step that no Email question precedes."""
        self.ensure_one()
        for step in self.script_step_ids.sorted(lambda s: (s.sequence, s.id)):
            if step.step_type == "question_email":
                return step.browse()
            if step.step_type == "create_ticket":
                return step
        return self.script_step_ids.browse()

    def action_view_helpdesk_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_intake.helpdesk_ticket_action"
        )
        action["domain"] = [("origin_chatbot_script_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
