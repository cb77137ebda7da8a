from odoo.tests import tagged

from .common import HelpdeskIntakeCommon

# Automatic answers as mail servers write them: (label, headers, return path).
AUTO_REPLIES = [
    ("rfc 3834", {"Auto-Submitted": "auto-replied"}, None),
    ("auto-generated", {"Auto-Submitted": "auto-generated"}, None),
    ("x-autoreply", {"X-Autoreply": "yes"}, None),
    ("precedence auto_reply", {"Precedence": "auto_reply"}, None),
    # Exchange's out-of-office: no Auto-Submitted, only its own header
    (
        "exchange oof",
        {"X-Auto-Response-Suppress": "All", "Thread-Topic": "Laptop battery"},
        None,
    ),
    ("null return path", {}, "<>"),
]


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestAutoReplyToClosedTicket(HelpdeskIntakeCommon):
    """An out-of-office answering the "solved" email neither reopens the
    ticket nor opens a follow-up: it is logged on the closed ticket as a
    note."""

    def setUp(self):
        super().setUp()
        self.original_msg_id = self.new_msg_id()
        self.ticket = self.deliver(
            subject="Laptop battery", msg_id=self.original_msg_id
        )
        with self.mock_mail_gateway():
            self.ticket.stage_id = self.stage_solved
        self.assertTrue(self.ticket.is_closed)
        self.solved = self.ticket.message_ids.filtered(
            lambda m: m.message_type == "auto_comment" and "solved" in m.subject
        )
        self.assertEqual(len(self.solved), 1, "the customer got the solved email")

    def _auto_reply(self, headers, return_path, by_subject=False):
        msg_id = self.new_msg_id()
        threading = (
            {}
            if by_subject
            else {
                "in_reply_to": self.solved.message_id,
                "references": self.solved.message_id,
            }
        )
        with self.mock_mail_gateway():
            new = self.deliver(
                subject=f"Automatic reply: {self.solved.subject}",
                body="I am out of the office until Monday.",
                msg_id=msg_id,
                headers=headers,
                return_path=return_path,
                **threading,
            )
        return new, self.incoming_message(msg_id)

    def _assert_logged_as_note(self, new, message):
        self.assertFalse(new, "no follow-up ticket")
        self.assertEqual(
            (message.model, message.res_id), ("helpdesk.ticket", self.ticket.id)
        )
        self.assertTrue(message.is_internal)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(self.ticket.stage_id, self.stage_solved, "not reopened")
        self.assertTrue(self.ticket.close_date)
        self.assertFalse(self._mails, "nobody is emailed about it")

    def _assert_auto_replies_logged(self, policy):
        # (within Odoo's loop guard: at most 20 emails of one sender on a
        # ticket in two hours)
        self.team.reply_to_closed = policy
        for label, headers, return_path in AUTO_REPLIES:
            for by_subject in (False, True):
                with self.subTest(case=label, subject=by_subject):
                    new, message = self._auto_reply(
                        headers, return_path, by_subject=by_subject
                    )
                    self._assert_logged_as_note(new, message)

    def test_auto_replies_with_follow_up_policy(self):
        self._assert_auto_replies_logged("new")

    def test_auto_replies_with_reopen_policy(self):
        self._assert_auto_replies_logged("reopen")

    def test_own_email_coming_back_logged_on_closed_ticket(self):
        """The solved email redirected back to the alias by the customer's
        mailbox, with a new Message-ID: the X-Loop it carries tells it."""
        self.team.reply_to_closed = "reopen"
        new, message = self._auto_reply({"X-Loop": self.alias_a}, None)
        self._assert_logged_as_note(new, message)

    def test_human_reply_reopens(self):
        """Headers that only ask for no delivery or read receipts are a
        person's."""
        self.team.reply_to_closed = "reopen"
        msg_id = self.new_msg_id()
        new = self.deliver(
            subject=f"Re: {self.solved.subject}",
            body="It broke again.",
            msg_id=msg_id,
            in_reply_to=self.solved.message_id,
            headers={"X-Auto-Response-Suppress": "DR, RN, NRN", "Auto-Submitted": "no"},
        )
        self.assertFalse(new)
        message = self.incoming_message(msg_id)
        self.assertEqual(message.res_id, self.ticket.id)
        self.assertFalse(message.is_internal)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertFalse(self.ticket.is_closed)

    def test_human_reply_opens_follow_up(self):
        self.team.reply_to_closed = "new"
        new = self.deliver(
            subject=f"Re: {self.solved.subject}",
            body="It broke again.",
            in_reply_to=self.solved.message_id,
            headers={"X-Auto-Response-Suppress": "None"},
        )
        self.assertEqual(len(new), 1)
        self.assertEqual(new.origin_ticket_id, self.ticket)
        self.assertTrue(self.ticket.is_closed)
