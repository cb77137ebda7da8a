import contextlib
from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import email_normalize, mute_logger

from .common import HelpdeskIntakeCommon
from .test_unprocessable import POISON_REPORT

# POISON_REPORT with the sender as a placeholder: the gateway fails on it
# whatever the sender.
POISON_FROM = POISON_REPORT.replace(
    "From: MAILER-DAEMON@mx.customer.test", "From: {email_from}"
)
STRANGER = '"Sam Stranger" <sam@stranger.test>'
CC_SUBSCRIBE_MAX = 10


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway", "security")
class TestSecurityMail(HelpdeskIntakeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.colleague = cls.env["res.partner"].create(
            {"name": "Kim Colleague", "email": "kim@customer.test"}
        )
        cls.contacts = cls.env["res.partner"].create(
            [
                {"name": f"Contact {index}", "email": f"contact{index}@partners.test"}
                for index in range(25)
            ]
        )

    def set_param(self, key, value):
        self.env["ir.config_parameter"].sudo().set_param(key, str(value))

    def set_loop_guard(self, threshold, minutes=120):
        self.set_param("mail.gateway.loop.threshold", threshold)
        self.set_param("mail.gateway.loop.minutes", minutes)

    def poison(self, email_from="MAILER-DAEMON@mx.customer.test", to=None):
        return POISON_FROM.format(
            email_from=email_from, to=to or self.alias_a, msg_id=self.new_msg_id()
        )

    def process_poison(self, raw):
        """Tickets made of an email the gateway fails on; the gateway may also
        refuse it by raising its original error, as it does for other models."""
        Ticket = self.env["helpdesk.ticket"].sudo().with_context(active_test=False)
        last = Ticket.search([], order="id desc", limit=1).id or 0
        with contextlib.suppress(LookupError):
            self.env["mail.thread"].sudo().message_process(None, raw)
        return Ticket.search([("id", ">", last)], order="id")

    def bounces_to(self, email):
        """Mails sent to ``email`` that are no acknowledgement of a ticket:
        the bounces of the gateway (loop guard, disabled or restricted alias)."""
        return [
            mail for mail in self.sent_to(email) if not mail["subject"].startswith("[#")
        ]

    def assert_follows(self, ticket, partners, msg=None):
        missing = partners - ticket.message_partner_ids
        self.assertFalse(missing, msg or f"{missing.mapped('email')} should follow")

    def assert_cannot_read(self, ticket, user):
        Ticket = self.env["helpdesk.ticket"].with_user(user)
        self.assertFalse(Ticket.search([("id", "=", ticket.id)]), user.login)
        with self.assertRaises(AccessError):
            ticket.with_user(user).read(["name"])

    @staticmethod
    def cc_header(partners, extra=()):
        """A Cc header folded over several lines, as mail clients write it."""
        addresses = [f'"{p.name}" <{p.email}>' for p in partners] + list(extra)
        return ",\n ".join(addresses)

    # ------------------------------------------------------------
    # Cc of an unknown sender
    # ------------------------------------------------------------

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_cc_by_unknown_sender_gives_no_portal_access(self):
        """A stranger Cc'ing an existing contact with a portal user does not
        make them a follower, so the portal user cannot read the ticket."""
        jane = self.partner_portal
        cases = [
            ("plain", f'"Jane Portal" <{jane.email}>'),
            ("bare address", jane.email),
            ("upper case", jane.email.upper()),
            (
                "among other addresses",
                f"una@unknown.test, {jane.email}, {self.alias_b}",
            ),
            ("spoofed display name", f'"Arthur Agent" <{jane.email}>'),
        ]
        for index, (label, cc) in enumerate(cases):
            sender = f"sam{index}@stranger.test"
            with self.subTest(cc=label):
                self.assertFalse(
                    self.env["res.partner"].search([("email_normalized", "=", sender)]),
                    "precondition: the sender is unknown",
                )
                ticket = self.deliver(
                    email_from=f'"Sam Stranger" <{sender}>',
                    subject=f"Please look at this {index}",
                    cc=cc,
                )
                self.assertEqual(len(ticket), 1, "the ticket is still created")
                self.assertEqual(ticket.partner_id.email_normalized, sender)
                self.assertIn(ticket.partner_id, ticket.message_partner_ids)
                self.assertNotIn(jane, ticket.message_partner_ids)
                self.assert_cannot_read(ticket, self.user_portal)

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_cc_by_unknown_sender_of_many_contacts(self):
        """A stranger Cc'ing 25 contacts subscribes none of them."""
        ticket = self.deliver(
            email_from=STRANGER,
            subject="Mass mailing",
            cc=self.cc_header(self.contacts | self.partner_portal),
        )
        self.assertEqual(len(ticket), 1)
        self.assertFalse(self.contacts & ticket.message_partner_ids)
        self.assertNotIn(self.partner_portal, ticket.message_partner_ids)
        self.assert_cannot_read(ticket, self.user_portal)

    def test_cc_by_unknown_sender_team_follower_subscribed(self):
        """Cc contacts who already follow the team follow the ticket."""
        self.team.message_subscribe(self.colleague.ids)
        ticket = self.deliver(
            email_from=STRANGER,
            subject="Urgent question",
            cc=f'"Kim Colleague" <{self.colleague.email}>, {self.partner_portal.email}',
        )
        self.assertEqual(len(ticket), 1)
        self.assertIn(self.colleague, ticket.message_partner_ids)
        self.assertNotIn(self.partner_portal, ticket.message_partner_ids)

    # ------------------------------------------------------------
    # Cc of a known sender
    # ------------------------------------------------------------

    def test_cc_by_second_email_of_stranger(self):
        """The contact a stranger's first email created does not make them
        known: their next email brings no Cc follower either."""
        first = self.deliver(email_from=STRANGER, subject="First contact")
        self.assertTrue(first.partner_id)
        ticket = self.deliver(
            email_from=STRANGER,
            subject="Second contact",
            cc=self.cc_header(self.partner_portal | self.contacts[:3]),
        )
        self.assertEqual(ticket.partner_id, first.partner_id)
        self.assertFalse(
            (self.partner_portal | self.contacts[:3]) & ticket.message_partner_ids
        )
        self.assert_cannot_read(ticket, self.user_portal)

    def test_cc_by_portal_user_subscribed(self):
        """A sender with a user account is known: their Cc'd contacts follow."""
        contacts = self.contacts[:3]
        ticket = self.deliver(
            email_from='"Jane Portal" <jane.portal@customer.test>',
            subject="Please loop in my colleagues",
            cc=self.cc_header(contacts),
        )
        self.assertEqual(ticket.partner_id, self.partner_portal)
        self.assert_follows(ticket, self.partner_portal | contacts)

    def test_cc_by_known_sender_subscribed(self):
        """The Cc'd colleagues of a contact who follows the team follow, up to
        the limit included."""
        self.team.message_subscribe(self.customer.ids)
        contacts = self.contacts[:CC_SUBSCRIBE_MAX]
        ticket = self.deliver(subject="Team request", cc=self.cc_header(contacts))
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.partner_id, self.customer)
        self.assert_follows(ticket, self.customer | contacts)

    def test_cc_by_known_sender_at_most_ten(self):
        self.team.message_subscribe(self.customer.ids)
        unknown = [f"ghost{index}@nowhere.test" for index in range(5)]
        Partner = self.env["res.partner"].with_context(active_test=False)
        partners_before = Partner.search_count([])
        for count in (CC_SUBSCRIBE_MAX + 1, 25):
            contacts = self.contacts[:count]
            with self.subTest(cc_contacts=count):
                ticket = self.deliver(
                    subject=f"Everybody in Cc ({count})",
                    cc=self.cc_header(contacts, extra=unknown),
                )
                self.assertEqual(len(ticket), 1)
                self.assertEqual(ticket.partner_id, self.customer)
                self.assertIn(self.customer, ticket.message_partner_ids)
                subscribed = contacts & ticket.message_partner_ids
                self.assertLessEqual(
                    len(subscribed),
                    CC_SUBSCRIBE_MAX,
                    f"{len(subscribed)} Cc contacts subscribed",
                )
                # the Cc addresses are all kept on the ticket
                cc_emails = {email_normalize(e) for e in ticket.email_cc.split(",")}
                self.assertTrue(set(contacts.mapped("email")) <= cc_emails)
        # nothing is created for unknown Cc addresses
        self.assertFalse(
            Partner.search([("email_normalized", "in", unknown)]), "no contact created"
        )
        self.assertEqual(Partner.search_count([]), partners_before)

    # ------------------------------------------------------------
    # Quarantine of unparsable emails
    # ------------------------------------------------------------

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_unparsable_email_to_disabled_alias(self):
        """A team whose alias is off keeps nothing, not even an unprocessable
        email; the other teams still do."""
        self.team.with_user(self.user_hd_manager).use_alias = False
        for sender in ("MAILER-DAEMON@mx.customer.test", "chuck@customer.test"):
            with self.subTest(sender=sender):
                self.assertFalse(self.process_poison(self.poison(sender)))
        self.assertFalse(self.team.with_context(active_test=False).ticket_ids)
        kept = self.process_poison(self.poison(to=self.alias_b))
        self.assertEqual(len(kept), 1)
        self.assertTrue(kept.is_unprocessable)
        self.assertEqual(kept.team_id, self.team_b)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_unparsable_emails_loop_guard_same_sender(self):
        self.set_loop_guard(3)
        tickets = self.env["helpdesk.ticket"]
        for _index in range(6):
            tickets |= self.process_poison(self.poison())
        self.assertTrue(all(tickets.mapped("is_unprocessable")))
        self.assertLessEqual(len(tickets), 3, "the loop guard stops the flood")
        self.assertGreaterEqual(len(tickets), 1)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_unparsable_emails_loop_guard_boundary(self):
        """Up to the threshold, every unparsable email is kept; the next ones
        are not; once the window has passed, they are kept again."""
        self.set_loop_guard(3, minutes=120)
        sender = "MAILER-DAEMON@mx.customer.test"
        kept = self.env["helpdesk.ticket"]
        for _index in range(3):
            kept |= self.process_poison(self.poison(sender))
        self.assertEqual(len(kept), 3, "up to the threshold, all kept")
        self.assertFalse(self.process_poison(self.poison(sender)))
        self.assertFalse(self.process_poison(self.poison(sender.lower())))
        # another team, same sender: the guard counts the sender's tickets
        self.assertFalse(self.process_poison(self.poison(sender, to=self.alias_b)))
        # the window is over for the first ones
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET create_date = create_date - %s WHERE id IN %s",
            [timedelta(minutes=121), tuple(kept.ids)],
        )
        kept.invalidate_recordset(["create_date"])
        self.assertEqual(len(self.process_poison(self.poison(sender))), 1)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_unparsable_emails_distinct_senders(self):
        self.set_loop_guard(3)
        tickets = self.env["helpdesk.ticket"]
        for index in range(6):
            tickets |= self.process_poison(
                self.poison(f"MAILER-DAEMON@mx{index}.customer.test")
            )
        self.assertEqual(len(tickets), 6, "one sender's flood does not stop others")
        self.assertTrue(all(tickets.mapped("is_unprocessable")))

    # ------------------------------------------------------------
    # Backscatter: bounces of the gateway
    # ------------------------------------------------------------

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_loop_guard_flood_bounces_limited(self):
        self.set_loop_guard(2)
        self.set_param("helpdesk_intake.bounce_limit", 2)
        flooder = "flood@spoofed.test"
        with self.mock_mail_gateway():
            tickets = self.env["helpdesk.ticket"]
            for index in range(15):
                tickets |= self.deliver(
                    email_from=f'"Flood" <{flooder}>', subject=f"Offer {index}"
                )
            self.assertEqual(len(tickets), 2, "Odoo's loop guard refuses the rest")
            bounces = self.bounces_to(flooder)
            self.assertLessEqual(len(bounces), 2, f"{len(bounces)} bounces")
            self.assertGreaterEqual(len(bounces), 1, "the first refusals bounce")
            # another sender still gets their bounce
            other = "victim@elsewhere.test"
            other_tickets = self.env["helpdesk.ticket"]
            for index in range(3):
                other_tickets |= self.deliver(
                    email_from=other, subject=f"Question {index}"
                )
            self.assertEqual(len(other_tickets), 2)
            self.assertEqual(len(self.bounces_to(other)), 1)
        self.assertLessEqual(len(self.bounces_to(flooder)), 2)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_loop_guard_bounces_up_to_limit(self):
        """Below the limit, every refused email bounces."""
        self.set_loop_guard(2)
        self.set_param("helpdesk_intake.bounce_limit", 2)
        sender = "someone@customer.test"
        with self.mock_mail_gateway():
            for index in range(4):
                self.deliver(email_from=sender, subject=f"Refused {index}")
        self.assertEqual(len(self.bounces_to(sender)), 2)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_loop_guard_bounces_default_limit(self):
        self.set_loop_guard(2)
        sender = "flood@spoofed.test"
        with self.mock_mail_gateway():
            for index in range(10):
                self.deliver(email_from=sender, subject=f"Offer {index}")
        bounces = self.bounces_to(sender)
        self.assertLessEqual(len(bounces), 3, f"{len(bounces)} bounces, default 3")
        self.assertGreaterEqual(len(bounces), 1)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_disabled_alias_bounces_limited(self):
        """Any bounce of the gateway counts: here, a disabled alias."""
        self.set_param("helpdesk_intake.bounce_limit", 2)
        self.team.with_user(self.user_hd_manager).use_alias = False
        forged = "forged@victim.test"
        with self.mock_mail_gateway():
            for index in range(6):
                self.assertFalse(
                    self.deliver(email_from=forged, subject=f"Spam {index}")
                )
            self.assertFalse(self.deliver(subject="Anybody there?"))
        bounces = self.bounces_to(forged)
        self.assertLessEqual(len(bounces), 2, f"{len(bounces)} bounces")
        self.assertGreaterEqual(len(bounces), 1)
        self.assertEqual(len(self.bounces_to("chuck@customer.test")), 1)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_restricted_alias_bounces_limited(self):
        """Any bounce of the gateway counts: here, an alias open to known
        contacts only."""
        self.set_param("helpdesk_intake.bounce_limit", 2)
        self.team.with_user(self.user_hd_manager).alias_contact = "partners"
        stranger = "stranger@unknown.test"
        with self.mock_mail_gateway():
            for index in range(6):
                self.assertFalse(
                    self.deliver(email_from=stranger, subject=f"Let me in {index}")
                )
            self.assertFalse(
                self.deliver(email_from="other@unknown.test", subject="Me too")
            )
        bounces = self.bounces_to(stranger)
        self.assertLessEqual(len(bounces), 2, f"{len(bounces)} bounces")
        self.assertGreaterEqual(len(bounces), 1)
        self.assertEqual(len(self.bounces_to("other@unknown.test")), 1)

    # ------------------------------------------------------------
    # Acknowledgements per address
    # ------------------------------------------------------------

    def acks_to(self, email):
        return [
            mail for mail in self.sent_to(email) if mail["subject"].startswith("[#")
        ]

    def test_ack_limit_per_address(self):
        self.set_param("helpdesk_intake.ack_limit", 2)
        self.assertTrue(self.team.use_acknowledgement)
        with self.mock_mail_gateway():
            tickets = self.env["helpdesk.ticket"]
            for index, email_from in enumerate(
                [
                    '"Chuck Customer" <chuck@customer.test>',
                    "chuck@customer.test",
                    "CHUCK@Customer.TEST",
                    '"Someone else" <chuck@customer.test>',
                    '"Chuck Customer" <chuck@customer.test>',
                ]
            ):
                tickets |= self.deliver(email_from=email_from, subject=f"Issue {index}")
            nina = self.deliver(
                email_from='"Nina New" <nina@newcorp.test>', subject="Hello"
            )
        self.assertEqual(len(tickets), 5, "every email still makes a ticket")
        self.assertEqual(tickets.partner_id, self.customer)
        acks = self.acks_to("chuck@customer.test")
        self.assertLessEqual(len(acks), 2, f"{len(acks)} acknowledgements")
        self.assertGreaterEqual(len(acks), 1)
        self.assertEqual(len(self.ack_mails(nina, "nina@newcorp.test")), 1)

    def test_ack_limit_boundary(self):
        """Up to the limit, each ticket is acknowledged."""
        self.set_param("helpdesk_intake.ack_limit", 2)
        with self.mock_mail_gateway():
            first = self.deliver(subject="First issue")
            second = self.deliver(subject="Second issue")
        self.assertEqual(len(self.ack_mails(first)), 1)
        self.assertEqual(len(self.ack_mails(second)), 1)
        with self.mock_mail_gateway():
            third = self.deliver(subject="Third issue")
        self.assertEqual(len(third), 1)
        self.assertEqual(
            len(self.ack_mails(third)), 0, "over the limit within the hour"
        )

    def test_ack_limit_across_channels(self):
        """Tickets keyed in by agents count with the emails."""
        self.set_param("helpdesk_intake.ack_limit", 2)
        with self.mock_mail_gateway():
            tickets = self.make_tickets(
                [
                    {"name": f"Phone call {index}", "partner_id": self.customer.id}
                    for index in range(2)
                ]
            )
            tickets |= self.make_tickets(
                [{"name": "Keyed in", "partner_email": "chuck@customer.test"}],
                team=self.team_b,
            )
            for index in range(2):
                tickets |= self.deliver(subject=f"Mail {index}")
        self.assertEqual(len(tickets), 5)
        acks = self.acks_to("chuck@customer.test")
        self.assertLessEqual(len(acks), 2, f"{len(acks)} acknowledgements")
        self.assertGreaterEqual(len(acks), 1)

    def test_ack_limit_default(self):
        with self.mock_mail_gateway():
            for index in range(7):
                self.deliver(subject=f"Issue {index}")
        acks = self.acks_to("chuck@customer.test")
        self.assertLessEqual(len(acks), 5, f"{len(acks)} acknowledgements, default 5")
        self.assertGreaterEqual(len(acks), 1)
