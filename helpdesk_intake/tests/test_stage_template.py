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

    def test_same_stage_rewritten_sends_nothing(self):
        with self.mock_mail_gateway():
            self.ticket.stage_id = self.stage_parts
        self.assertEqual(len(self._stage_mails("waiting for parts")), 1)
        with self.mock_mail_gateway():
            self.ticket.write({"stage_id": self.stage_parts.id})
            self.flush_tracking()
            self.ticket.stage_id = self.stage_parts
        self.assertFalse(self._stage_mails("waiting for parts"))

    def test_real_change_sends_once(self):
        with self.mock_mail_gateway():
            self.ticket.stage_id = self.stage_in_progress
            self.ticket.stage_id = self.stage_parts
        self.assertEqual(len(self._stage_mails("waiting for parts")), 1)
        message = self.ticket.message_ids.filtered(
            lambda m: m.message_type == "auto_comment" and "parts are ordered" in m.body
        )
        self.assertEqual(len(message), 1)

    def test_new_ticket_in_a_stage_with_template_sends_nothing(self):
        with self.mock_mail_gateway():
            ticket = self.make_tickets(
                [
                    {
                        "name": "Broken door",
                        "partner_id": self.customer.id,
                        "stage_id": self.stage_solved.id,
                    }
                ]
            )
        self.assertEqual(ticket.stage_id, self.stage_solved)
        acknowledgements = self.ack_mails(ticket)
        others = [
            m
            for m in self.sent_to("chuck@customer.test")
            if m["object_id"] == f"{ticket.id}-helpdesk.ticket"
            and m not in acknowledgements
        ]
        self.assertFalse(others)

    def test_stage_email_carries_x_loop(self):
        with self.mock_mail_gateway():
            self.ticket.stage_id = self.stage_parts
        (mail,) = self._stage_mails("waiting for parts")
        self.assertEqual(mail["headers"].get("X-Loop"), self.alias_a)

    def test_no_stage_email_to_robots_nor_own_addresses(self):
        """The rules of the acknowledgement: robots and the helpdesk's own
        addresses get no stage email."""
        addresses = (
            "noreply@vendor.test",
            "MAILER-DAEMON@vendor.test",
            "bounces+list@vendor.test",
            self.alias_b,
        )
        tickets = self.make_tickets(
            [{"name": f"From {email}", "partner_email": email} for email in addresses]
        )
        human = self.make_tickets(
            [{"name": "Human", "partner_email": "replyhere@vendor.test"}]
        )
        with self.mock_mail_gateway():
            (tickets | human).stage_id = self.stage_parts
        for email in addresses:
            self.assertFalse(self.sent_to(email), email)
        self.assertEqual(len(self.sent_to("replyhere@vendor.test")), 1)

    def test_no_stage_email_about_ticket_from_automatic_email(self):
        """A ticket a robot opened gets no email at any stage, even from a
        human-looking address and long after it was created."""
        ticket = self.deliver(
            email_from="alerts@monitoring.test",
            subject="Disk full on srv-1",
            headers={"Auto-Submitted": "auto-generated"},
        )
        self.assertTrue(ticket.from_automated_email)
        with self.mock_mail_gateway():
            ticket.with_user(self.user_hd_agent).stage_id = self.stage_parts
            ticket.with_user(self.user_hd_agent).stage_id = self.stage_solved
        self.assertFalse(self.sent_to("alerts@monitoring.test"))
        self.assertFalse(
            ticket.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        )
