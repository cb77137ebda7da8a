from odoo.tests import tagged

from .common import HelpdeskIntakeCommon


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestThreading(HelpdeskIntakeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.follower = cls.env["res.partner"].create(
            {"name": "Fiona Follower", "email": "fiona@customer.test"}
        )
        cls.stranger = cls.env["res.partner"].create(
            {"name": "Sam Stranger", "email": "sam@stranger.test"}
        )

    def setUp(self):
        super().setUp()
        self.original_msg_id = self.new_msg_id()
        self.ticket = self.deliver(
            subject="Wifi keeps dropping", msg_id=self.original_msg_id
        )
        self.assertEqual(len(self.ticket), 1)

    def _replies(self, ticket):
        return ticket.message_ids.filtered(lambda m: m.message_type == "email")

    def test_reply_to_acknowledgement(self):
        self.env["helpdesk.ticket"]._cron_send_acknowledgements()
        ack = self.ticket.message_ids.filtered(
            lambda m: m.message_type == "auto_comment"
        )
        self.assertEqual(len(ack), 1, "the acknowledgement is in the chatter")
        msg_id = self.new_msg_id()
        new = self.deliver(
            subject=f"Re: [#{self.ticket.ref}] Wifi keeps dropping",
            body="It dropped again this morning.",
            msg_id=msg_id,
            in_reply_to=ack.message_id,
            references=f"{self.original_msg_id} {ack.message_id}",
        )
        self.assertFalse(new)
        reply = self.incoming_message(msg_id)
        self.assertEqual(
            (reply.model, reply.res_id), ("helpdesk.ticket", self.ticket.id)
        )
        self.assertEqual(len(self._replies(self.ticket)), 2)

    def test_reply_to_original_message(self):
        msg_id = self.new_msg_id()
        new = self.deliver(
            subject="Re: Wifi keeps dropping",
            body="More details: router model X200.",
            msg_id=msg_id,
            in_reply_to=self.original_msg_id,
            references=self.original_msg_id,
        )
        self.assertFalse(new)
        self.assertEqual(self.incoming_message(msg_id).res_id, self.ticket.id)

    def test_reply_subject_reference_from_customer(self):
        for subject in (
            f"Re: {self.ticket.display_name}",
            f"RE: [#{self.ticket.ref}] Wifi keeps dropping",
        ):
            with self.subTest(subject=subject):
                msg_id = self.new_msg_id()
                new = self.deliver(subject=subject, msg_id=msg_id, body="Still broken.")
                self.assertFalse(new, "matched by the reference in the subject")
                self.assertEqual(self.incoming_message(msg_id).res_id, self.ticket.id)

    def test_reply_subject_reference_from_follower(self):
        self.ticket.message_subscribe(self.follower.ids)
        msg_id = self.new_msg_id()
        new = self.deliver(
            email_from=self.follower.email_formatted,
            subject=f"Re: {self.ticket.display_name}",
            msg_id=msg_id,
        )
        self.assertFalse(new)
        message = self.incoming_message(msg_id)
        self.assertEqual(message.res_id, self.ticket.id)
        self.assertEqual(message.author_id, self.follower)

    def test_reply_subject_reference_from_stranger(self):
        for email_from in (self.stranger.email_formatted, "nobody@unknown.test"):
            with self.subTest(email_from=email_from):
                before = len(self.ticket.message_ids)
                msg_id = self.new_msg_id()
                new = self.deliver(
                    email_from=email_from,
                    subject=f"Re: {self.ticket.display_name}",
                    msg_id=msg_id,
                )
                self.assertEqual(len(new), 1, "a stranger cannot write into the ticket")
                self.assertNotEqual(new, self.ticket)
                self.assertEqual(self.incoming_message(msg_id).res_id, new.id)
                self.assertEqual(len(self.ticket.message_ids), before)
                self.assertNotEqual(new.partner_id, self.customer)
