from odoo.tests import tagged

from .common import HelpdeskIntakeCommon


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestStageTemplate(HelpdeskIntakeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template_parts = cls.env["mail.template"].create(
            {
                "name": "Waiting for parts",
                "model_id": cls.env["ir.model"]._get_id("helpdesk.ticket"),
                "subject": "[#{{ object.ref }}] waiting for parts",
                "body_html": (
                    "<p>Dear <t t-out='object.partner_id.name'/>, "
                    "parts are ordered.</p>"
                ),
            }
        )
        cls.stage_parts = cls.env["helpdesk.stage"].create(
            {
                "name": "Waiting for Parts",
                "sequence": 3,
                "template_id": cls.template_parts.id,
                "team_ids": [(4, cls.team.id)],
            }
        )
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Broken hinge",
                "team_id": cls.team.id,
                "partner_id": cls.customer.id,
            }
        )

    def _stage_mails(self, subject_part):
        return [
            m
            for m in self.sent_to("chuck@customer.test")
            if subject_part in m["subject"]
        ]

    def test_stage_with_template_emails_customer(self):
        with self.mock_mail_gateway():
            self.ticket.with_user(self.user_hd_agent).stage_id = self.stage_parts
        mails = self._stage_mails("waiting for parts")
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails[0]["subject"], f"[#{self.ticket.ref}] waiting for parts")
        self.assertIn("Dear Chuck Customer, parts are ordered.", mails[0]["body"])
        self.assertEqual(mails[0]["headers"].get("Auto-Submitted"), "auto-replied")
        self.assertIn(self.alias_a, mails[0]["reply_to"])
        message = self.ticket.message_ids.filtered(
            lambda m: m.message_type == "auto_comment" and "parts are ordered" in m.body
        )
        self.assertEqual(len(message), 1)

    def test_solved_stage_default_template(self):
        self.assertTrue(self.stage_solved.template_id)
        with self.mock_mail_gateway():
            self.ticket.with_user(self.user_hd_agent).stage_id = self.stage_solved
        self.assertEqual(len(self._stage_mails("solved")), 1)

    def test_stage_without_template_sends_nothing(self):
        self.assertFalse(self.stage_in_progress.template_id)
        with self.mock_mail_gateway():
            self.ticket.with_user(self.user_hd_agent).stage_id = self.stage_in_progress
        acknowledgements = self.ack_mails(self.ticket)
        others = [
            m for m in self.sent_to("chuck@customer.test") if m not in acknowledgements
        ]
        self.assertFalse(others)

    def test_other_write_does_not_resend(self):
        with self.mock_mail_gateway():
            self.ticket.stage_id = self.stage_parts
            self.ticket.write({"priority": "2"})
            self.ticket.write({"name": "Broken hinge (left)"})
        self.assertEqual(len(self._stage_mails("waiting for parts")), 1)
