from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..tools import normalize_domain, sender_domains
from .common import HelpdeskIntakeCommon


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestBlockedSender(HelpdeskIntakeCommon):
    """Agents block a ticket's sender, by address or domain, for its team or
    all teams; the blocked senders' next emails are kept in Spam, never
    acknowledged."""

    def block(self, ticket, user=None, **values):
        user = user or self.user_hd_agent
        action = ticket.with_user(user).action_block_sender()
        wizard = (
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
            .create(values)
        )
        wizard.action_block()
        return self.env["helpdesk.blocked.sender"].search([], order="id desc", limit=1)

    def assertBlocked(self, email, to=None, blocked=True):
        with self.mock_mail_gateway():
            ticket = self.deliver(
                email_from=f'"Someone" <{email}>', to=to, subject=f"From {email}"
            )
        self.assertEqual(len(ticket), 1, "the email is never lost")
        self.assertEqual(ticket.is_spam, blocked, email)
        if blocked:
            self.assertIn("Blocked sender", ticket.spam_reason)
            self.assertFalse(self.sent_to(email), "never acknowledged")
            self.assertFalse(ticket.user_id)
        else:
            self.assertEqual(len(self.ack_mails(ticket)), 1)
        return ticket

    def test_block_address_for_team(self):
        first = self.deliver(email_from='"Spammer" <Spammer@Junk.test>')
        entry = self.block(first, reason="Phishing")
        self.assertFalse(first.active, "the ticket is archived")
        self.assertEqual(entry.sender_type, "email")
        self.assertEqual(entry.email, "spammer@junk.test")
        self.assertEqual(entry.team_id, self.team)
        self.assertEqual(entry.company_id, self.team.company_id)
        self.assertEqual(entry.create_uid, self.user_hd_agent)
        self.assertEqual(entry.reason, "Phishing")
        self.assertIn("spammer@junk.test", first.message_ids[0].body)

        self.assertBlocked("spammer@junk.test")
        self.assertBlocked("SPAMMER@junk.TEST")
        # the address only, and this team only
        self.assertBlocked("other@junk.test", blocked=False)
        self.assertBlocked("spammer@junk.test.evil", blocked=False)
        self.assertBlocked("xspammer@junk.test", blocked=False)
        self.assertBlocked("spammer@junk.test", to=self.alias_b, blocked=False)

    def test_block_domain_for_all_teams(self):
        first = self.deliver(email_from="promo@mail.junk.test")
        # the wizard proposes the registrable part of the domain
        entry = self.block(first, sender_type="domain", scope="company")
        self.assertEqual(entry.domain, "junk.test")
        self.assertFalse(entry.team_id)
        for email in (
            "promo@junk.test",
            "anyone@JUNK.test",
            "x@mail.junk.test",  # subdomains too
            "x@a.b.junk.test",
        ):
            with self.subTest(email=email):
                self.assertBlocked(email)
                self.assertBlocked(email, to=self.alias_b)
        for email in ("x@notjunk.test", "x@junk.test.example", "junk.test@other.test"):
            with self.subTest(email=email):
                self.assertBlocked(email, blocked=False)
        # the teams of the other company are not this company's to block
        self.assertBlocked("promo@junk.test", to=self.alias_c2, blocked=False)

    def test_block_parent_domain_only(self):
        ticket = self.deliver(email_from="promo@mail.junk.test")
        entry = self.block(ticket, sender_type="domain", domain="MAIL.junk.test.")
        self.assertEqual(entry.domain, "mail.junk.test")
        self.assertBlocked("x@mail.junk.test")
        self.assertBlocked("x@junk.test", blocked=False)
        # a domain that is not the sender's is for administrators to block
        ticket = self.deliver(email_from="promo@other.test")
        for domain in ("junk.test", "her.test", "test", "promo@other.test"):
            with self.subTest(domain=domain), self.assertRaises(UserError):
                self.block(ticket, sender_type="domain", domain=domain)
        self.assertTrue(ticket.active)

    def test_block_twice_and_archived_entries(self):
        first = self.deliver(email_from="spammer@junk.test")
        entry = self.block(first)
        second = self.deliver(email_from="spammer@junk.test")
        self.assertEqual(self.block(second), entry, "one entry per sender")
        self.assertEqual(
            self.env["helpdesk.blocked.sender"].search_count(
                [("email", "=", "spammer@junk.test")]
            ),
            1,
        )
        entry.with_user(self.user_hd_manager).action_archive()
        self.assertBlocked("spammer@junk.test", blocked=False)

    def test_employees_never_blocked(self):
        employee = self.env["res.users"].create(
            {
                "name": "Ernest Employee",
                "login": "ernest_partner",
                "email": "ernest@partner.test",
                "group_ids": [(6, 0, self.env.ref("base.group_user").ids)],
            }
        )
        self.env["helpdesk.blocked.sender"].create(
            {"sender_type": "domain", "domain": "partner.test"}
        )
        self.assertBlocked("customer@partner.test")
        self.assertBlocked(employee.email, blocked=False)
        with self.assertRaises(ValidationError):
            self.env["helpdesk.blocked.sender"].create({"email": employee.email})
        ticket = self.make_tickets(
            [{"name": "Internal", "partner_email": employee.email}]
        )
        with self.assertRaises(ValidationError):
            self.block(ticket)
        self.assertTrue(ticket.active)

    def test_invalid_entries(self):
        Blocked = self.env["helpdesk.blocked.sender"].with_user(self.user_hd_manager)
        self.assertEqual(
            Blocked.create({"email": " Spammer@Junk.Test "}).email, "spammer@junk.test"
        )
        self.assertEqual(
            Blocked.create({"sender_type": "domain", "domain": "@Junk2.TEST."}).domain,
            "junk2.test",
        )
        own_domain = self.env["mail.alias.domain"].search([], limit=1).name
        for values in (
            {"email": "not an address"},
            {"email": False},
            {"email": "a@b.test, c@d.test"},
            {"sender_type": "domain", "domain": "test"},
            {"sender_type": "domain", "domain": "exa mple.test"},
            {"sender_type": "domain", "domain": "junk..test"},
            {"sender_type": "domain", "domain": False},
            {"sender_type": "domain", "domain": own_domain},
            {"sender_type": "domain", "domain": own_domain.upper()},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    Blocked.create(values)

    def test_access(self):
        entry = self.env["helpdesk.blocked.sender"].create(
            {"email": "spammer@junk.test", "team_id": self.team.id}
        )
        agent_entry = entry.with_user(self.user_hd_agent)
        for operation in (
            lambda: agent_entry.read(["email"]),
            lambda: agent_entry.write({"active": False}),
            lambda: agent_entry.unlink(),
            lambda: agent_entry.create({"email": "other@junk.test"}),
        ):
            with self.assertRaises(AccessError):
                operation()
        manager_entry = entry.with_user(self.user_hd_manager)
        manager_entry.reason = "Checked"
        self.assertEqual(manager_entry.reason, "Checked")
        # multi-company: the other company's list is not visible
        entry_c2 = self.env["helpdesk.blocked.sender"].create(
            {"email": "spammer@junk.test", "team_id": self.team_c2.id}
        )
        self.assertEqual(entry_c2.company_id, self.company_2)
        self.assertNotIn(
            entry_c2,
            self.env["helpdesk.blocked.sender"]
            .with_user(self.user_hd_manager)
            .search([]),
        )
        # an agent blocks only from a ticket they may handle
        ticket_c2 = self.deliver(to=self.alias_c2, email_from="x@junk2.test")
        with self.assertRaises(AccessError):
            self.block(ticket_c2)
        self.assertTrue(ticket_c2.active)
        # portal users can use neither the wizard nor the list
        with self.assertRaises(AccessError):
            self.env["helpdesk.block.sender"].with_user(self.user_portal).create(
                {"ticket_id": ticket_c2.id}
            )

    def test_domain_tools(self):
        self.assertEqual(
            sender_domains("a@x.b.example.test"),
            ["x.b.example.test", "b.example.test", "example.test"],
        )
        self.assertEqual(sender_domains("not an address"), [])
        self.assertEqual(normalize_domain("*.Bücher.de"), "xn--bcher-kva.de")
        self.assertEqual(sender_domains("a@bücher.de"), ["xn--bcher-kva.de"])
        self.assertEqual(normalize_domain("com"), "")
