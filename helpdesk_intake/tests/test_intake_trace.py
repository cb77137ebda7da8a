from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import HelpdeskIntakeCommon


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestIntakeTrace(HelpdeskIntakeCommon):
    """Each email of a ticket tells, in its intake trace, why it landed
    there; helpdesk administrators read it, agents do not."""

    def _entries(self, ticket):
        """The trace as {Message-ID: [reason lines]}."""
        entries, current = {}, None
        for line in ticket.intake_trace.splitlines():
            if line.startswith("  "):
                entries[current].append(line.strip())
            else:
                current = line.split(" ")[-1]
                entries[current] = []
        return entries

    def test_new_ticket_and_replies(self):
        msg_id = self.new_msg_id()
        ticket = self.deliver(subject="Projector broken", msg_id=msg_id)
        self.assertEqual(
            self._entries(ticket)[msg_id],
            [f"route: new ticket, alias {self.alias_a}", "acknowledgement requested"],
        )

        by_headers = self.new_msg_id()
        self.deliver(
            subject="Re: Projector broken", msg_id=by_headers, in_reply_to=msg_id
        )
        by_ref = self.new_msg_id()
        self.deliver(subject=f"Re: [#{ticket.ref}] Projector", msg_id=by_ref)
        entries = self._entries(ticket)
        self.assertEqual(list(entries), [msg_id, by_headers, by_ref], "one entry each")
        self.assertEqual(
            entries[by_headers],
            [
                "threading: email headers (In-Reply-To, References)",
                f"route: ticket #{ticket.ref}",
            ],
        )
        self.assertEqual(
            entries[by_ref],
            [
                f"threading: #{ticket.ref} in the subject",
                f"route: ticket #{ticket.ref}",
            ],
        )

    def test_several_teams_addressed(self):
        msg_id = self.new_msg_id()
        ticket = self.deliver(
            to=f"{self.alias_b}, {self.alias_a}", subject="Both teams", msg_id=msg_id
        )
        self.assertEqual(ticket.team_id, self.team_b)
        lines = self._entries(ticket)[msg_id]
        self.assertIn(
            f"several team aliases addressed ({self.alias_b}, {self.alias_a}): "
            f"{self.alias_b} wins, first in To then Cc",
            lines,
        )

    def test_closed_ticket_policies(self):
        msg_id = self.new_msg_id()
        ticket = self.deliver(subject="Monitor flickers", msg_id=msg_id)
        ticket.stage_id = self.stage_solved

        follow_up_msg = self.new_msg_id()
        follow_up = self.deliver(
            subject="Re: Monitor flickers", msg_id=follow_up_msg, in_reply_to=msg_id
        )
        self.assertIn(
            f"closed ticket #{ticket.ref}: follow-up ticket (team policy)",
            self._entries(follow_up)[follow_up_msg],
        )

        self.team.reply_to_closed = "reopen"
        oof = self.new_msg_id()
        self.deliver(
            subject="Automatic reply: Monitor flickers",
            msg_id=oof,
            in_reply_to=msg_id,
            headers={"Auto-Submitted": "auto-replied"},
        )
        reopen = self.new_msg_id()
        self.deliver(subject="Re: Monitor flickers", msg_id=reopen, in_reply_to=msg_id)
        entries = self._entries(ticket)
        self.assertIn("automatic email: Auto-Submitted: auto-replied", entries[oof])
        self.assertIn(
            f"closed ticket #{ticket.ref}: automatic email logged as a note, "
            "not reopened",
            entries[oof],
        )
        self.assertIn(
            f"closed ticket #{ticket.ref}: reopened in {self.stage_new.name} "
            "(team policy)",
            entries[reopen],
        )

    def test_why_no_acknowledgement(self):
        cases = [
            ({"headers": {"Precedence": "bulk"}}, "automatic email (Precedence: bulk)"),
            (
                {"email_from": "no-reply@shop.test"},
                "no-reply@shop.test is a robot address",
            ),
            (
                {"email_from": self.alias_b},
                f"{self.alias_b} is an address of the helpdesk",
            ),
        ]
        for index, (values, reason) in enumerate(cases):
            with self.subTest(reason=reason):
                ticket = self.deliver(subject=f"No ack {index}", **values)
                self.assertIn(f"  no acknowledgement: {reason}", ticket.intake_trace)
        self.team.use_acknowledgement = False
        ticket = self.deliver(subject="Team without ack")
        self.assertIn("no acknowledgement: off for the team", ticket.intake_trace)

    def test_only_administrators_read_it(self):
        ticket = self.deliver(subject="Who reads the trace?")
        self.assertTrue(ticket.intake_trace)
        manager_ticket = ticket.with_user(self.user_hd_manager)
        self.assertIn("route: new ticket", manager_ticket.intake_trace)
        agent_ticket = ticket.with_user(self.user_hd_agent)
        self.assertEqual(agent_ticket.name, "Who reads the trace?")
        with self.assertRaises(AccessError):
            agent_ticket.read(["intake_trace"])
        self.assertNotIn("intake_trace", agent_ticket.fields_get(attributes=["string"]))
        form = agent_ticket.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("intake_trace", form)

    def test_manual_ticket_has_none(self):
        ticket = self.make_tickets(
            [{"name": "Phone call", "partner_id": self.customer.id}]
        )
        self.assertFalse(ticket.intake_trace)
