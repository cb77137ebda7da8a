from odoo.tests import tagged

from .common import HelpdeskIntakeCommon


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestReplyToClosedTicket(HelpdeskIntakeCommon):
    def setUp(self):
        super().setUp()
        self.original_msg_id = self.new_msg_id()
        self.ticket = self.deliver(
            subject="Laptop battery", msg_id=self.original_msg_id
        )
        self.ticket.stage_id = self.stage_solved
        self.assertTrue(self.ticket.is_closed)

    def test_reply_closed_new_ticket_by_headers(self):
        self.assertEqual(self.team.reply_to_closed, "new")
        msg_id = self.new_msg_id()
        new = self.deliver(
            subject="Re: Laptop battery",
            body="The battery died again.",
            msg_id=msg_id,
            in_reply_to=self.original_msg_id,
            references=self.original_msg_id,
        )
        self.assertEqual(len(new), 1)
        self.assertEqual(new.origin_ticket_id, self.ticket)
        self.assertEqual(new.team_id, self.team)
        self.assertEqual(new.partner_id, self.customer)
        self.assertEqual(new.stage_id, self.stage_new)
        self.assertEqual(self.incoming_message(msg_id).res_id, new.id)
        self.assertTrue(self.ticket.is_closed, "the closed ticket stays closed")
        self.assertEqual(self.ticket.stage_id, self.stage_solved)

    def test_reply_closed_new_ticket_by_subject(self):
        new = self.deliver(subject=f"Re: {self.ticket.display_name}", body="Again!")
        self.assertEqual(len(new), 1)
        self.assertEqual(new.origin_ticket_id, self.ticket)
        self.assertTrue(self.ticket.is_closed)

    def test_reply_closed_reopen(self):
        self.team.reply_to_closed = "reopen"
        msg_id = self.new_msg_id()
        new = self.deliver(
            subject="Re: Laptop battery",
            body="The battery died again.",
            msg_id=msg_id,
            in_reply_to=self.original_msg_id,
            references=self.original_msg_id,
        )
        self.assertFalse(new)
        self.assertEqual(self.incoming_message(msg_id).res_id, self.ticket.id)
        self.assertFalse(self.ticket.is_closed)
        self.assertFalse(self.ticket.stage_id.fold)
        self.assertEqual(
            self.ticket.stage_id, self.stage_new, "first open stage of the team"
        )
        self.assertFalse(self.ticket.close_date)

    def test_reply_closed_reopen_by_subject(self):
        self.team.reply_to_closed = "reopen"
        new = self.deliver(subject=f"Re: {self.ticket.display_name}", body="Again!")
        self.assertFalse(new)
        self.assertFalse(self.ticket.is_closed)

    def test_reply_closed_reopen_first_open_stage_of_team(self):
        """The first open stage of the ticket's team, whatever the global order."""
        team = self.team_c2
        team.reply_to_closed = "reopen"
        closed = self.env["helpdesk.stage"].create(
            {"name": "C2 Done", "fold": True, "sequence": 1}
        )
        team.stage_ids = [(4, closed.id)]
        msg_id = self.new_msg_id()
        ticket = self.deliver(to=self.alias_c2, subject="C2 request", msg_id=msg_id)
        ticket.stage_id = closed
        self.deliver(
            to=self.alias_c2,
            subject="Re: C2 request",
            in_reply_to=msg_id,
            references=msg_id,
        )
        self.assertEqual(ticket.stage_id, self.stage_c2_intake)

    def test_employee_reply_to_closed_ticket_stays(self):
        """An agent writing on a closed ticket does not spawn a new ticket."""
        msg_id = self.new_msg_id()
        new = self.deliver(
            email_from=self.user_hd_agent.email_formatted,
            subject="Re: Laptop battery",
            msg_id=msg_id,
            in_reply_to=self.original_msg_id,
            references=self.original_msg_id,
        )
        self.assertFalse(new)
        self.assertEqual(self.incoming_message(msg_id).res_id, self.ticket.id)
        self.assertTrue(self.ticket.is_closed)
