from contextlib import contextmanager

from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .common import HelpdeskLivechatCommon


@tagged("post_install", "-at_install")
class TestChatbotScript(HelpdeskLivechatCommon):
    @contextmanager
    def assertRefused(self):
        # assertRaises (unlike assertRaisesRegex) rolls the refused write back.
        with self.assertRaises(ValidationError) as catcher:
            yield
        self.assertIn(
            "creates a ticket before the visitor is asked their email: add a step "
            "of type Email before it",
            str(catcher.exception),
        )

    def new_script(self, *step_types):
        return self.env["chatbot.script"].create(
            {
                "title": "Ordered bot",
                "script_step_ids": [
                    Command.create(
                        {"step_type": step_type, "message": step_type, "sequence": n}
                    )
                    for n, step_type in enumerate(step_types)
                ],
            }
        )

    def test_ticket_needs_an_email_question_before(self):
        for step_types in (
            ("create_ticket",),
            ("text", "create_ticket", "question_email"),
            ("question_phone", "free_input_single", "create_ticket"),
        ):
            with self.subTest(step_types=step_types):
                with self.assertRefused():
                    self.new_script(*step_types)
        script = self.new_script("text", "question_email", "text", "create_ticket")
        self.assertEqual(len(script.script_step_ids), 4)
        self.new_script("text", "forward_operator")

    def test_write_and_reorder(self):
        script = self.new_script("question_email", "free_input_multi", "create_ticket")
        email, problem, ticket = script.script_step_ids.sorted("sequence")
        with self.assertRefused():
            ticket.sequence = -1
        with self.assertRefused():
            email.step_type = "question_phone"
        with self.assertRefused():
            script.write(
                {
                    "script_step_ids": [
                        Command.update(email.id, {"sequence": 3}),
                        Command.update(problem.id, {"sequence": 1}),
                        Command.update(ticket.id, {"sequence": 2}),
                    ]
                }
            )
        with self.assertRefused():
            script.write({"script_step_ids": [Command.unlink(email.id)]})
        # A valid reorder, every step moving, as the form's list saves it.
        script.write(
            {
                "script_step_ids": [
                    Command.update(problem.id, {"sequence": 0}),
                    Command.update(email.id, {"sequence": 1}),
                    Command.update(ticket.id, {"sequence": 2}),
                ]
            }
        )
        self.assertEqual(script.script_step_ids.sorted("sequence")[0], problem)
        # Another step of the same type before the email: refused too.
        with self.assertRefused():
            self.env["chatbot.script.step"].create(
                {
                    "chatbot_script_id": script.id,
                    "step_type": "create_ticket",
                    "sequence": -10,
                }
            )

    def test_shipped_helpdesk_bot(self):
        bot = self.env.ref("helpdesk_intake_livechat.chatbot_script_helpdesk_bot")
        self.assertEqual(bot.title, "Helpdesk bot")
        data = self.env["ir.model.data"].search(
            [
                ("module", "=", "helpdesk_intake_livechat"),
                ("model", "=", "chatbot.script"),
            ]
        )
        self.assertEqual(data.mapped("name"), ["chatbot_script_helpdesk_bot"])
        self.assertTrue(data.noupdate)
        steps = bot.script_step_ids.sorted("sequence")
        self.assertEqual(
            steps.mapped("step_type"),
            [
                "text",
                "free_input_single",
                "question_email",
                "free_input_multi",
                "create_ticket",
                "text",
            ],
        )
        self.assertTrue(steps[1].helpdesk_customer_name)
        self.assertFalse(
            self.env["chatbot.script"].search_count([("title", "=", "Support bot")])
        )
        menu = self.env.ref("helpdesk_intake_livechat.menu_helpdesk_config_chatbots")
        self.assertEqual(
            menu.parent_id, self.env.ref("helpdesk_intake.menu_helpdesk_config")
        )
        self.assertEqual(menu.action, self.env.ref("im_livechat.chatbot_script_action"))
