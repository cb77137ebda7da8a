from email import message_from_string, policy
from unittest.mock import patch

from odoo.tests import BaseCase, tagged

from ..tools import mail as mail_tools
from .common import FORWARD_GMAIL_BODY, HelpdeskIntakeCommon

OUR_MTA = "mx.test.mycompany.com"
PASS = (
    f"{OUR_MTA}; spf=pass smtp.mailfrom=customer.test;"
    " dmarc=pass header.from=customer.test"
)
FAIL = (
    f"{OUR_MTA}; spf=fail smtp.mailfrom=customer.test;\n"
    "    dkim=none; dmarc=fail (p=reject dis=none) header.from=customer.test"
)


@tagged("post_install", "-at_install", "helpdesk_intake")
class TestDmarcResult(BaseCase):
    def _result(self, *headers, authserv_id=None):
        text = "".join(f"Authentication-Results: {value}\n" for value in headers)
        message = message_from_string(
            f"{text}From: a@customer.test\n\nHello\n", policy=policy.SMTP
        )
        return mail_tools.dmarc_result(message, authserv_id)

    def test_verdicts(self):
        self.assertEqual(self._result(PASS), "pass")
        self.assertEqual(self._result(FAIL), "fail")
        self.assertEqual(self._result(), "")
        for value in ("dmarc=none", "dmarc=temperror", "spf=pass", "none", "dmarc"):
            with self.subTest(value=value):
                self.assertEqual(self._result(f"{OUR_MTA}; {value}"), "")
        self.assertEqual(self._result("garbage;;;", PASS), "", "topmost unreadable")

    def test_authserv_id(self):
        other = "relay.test; dmarc=pass"
        self.assertEqual(self._result(other, FAIL), "pass")
        self.assertEqual(self._result(other, FAIL, authserv_id=OUR_MTA), "fail")
        self.assertEqual(self._result("garbage;;;", PASS, authserv_id=OUR_MTA), "pass")
        self.assertEqual(self._result(other, authserv_id=OUR_MTA), "")


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestSenderAuthentication(HelpdeskIntakeCommon):
    """The receiving mail server's DMARC verdict (Authentication-Results)
    decides whether a sender's address is enough to write into a ticket by
    its reference, or to attribute a forward."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.follower = cls.env["res.partner"].create(
            {"name": "Fiona Follower", "email": "fiona@customer.test"}
        )

    def setUp(self):
        super().setUp()
        self.ticket = self.deliver(subject="VPN drops")
        self.ticket.message_subscribe(self.follower.ids)

    def _deliver(self, *auth_results, **kwargs):
        """Deliver an email carrying ``auth_results`` headers, topmost first,
        as each receiving server adds its own above the others."""
        raw = self.build_email(**kwargs)
        stamps = "".join(f"Authentication-Results: {value}\n" for value in auth_results)
        return self.process(stamps + raw)

    def _reply_by_reference(self, *auth_results):
        msg_id = self.new_msg_id()
        new = self._deliver(
            *auth_results,
            email_from=self.follower.email_formatted,
            subject=f"Re: {self.ticket.display_name}",
            msg_id=msg_id,
        )
        return new, self.incoming_message(msg_id)

    def _assert_threaded(self, new, message):
        self.assertFalse(new)
        self.assertEqual(message.res_id, self.ticket.id)

    def _assert_unverified_ticket(self, new, message):
        self.assertEqual(len(new), 1, "a new ticket instead of a post")
        self.assertEqual(message.res_id, new.id)
        self.assertEqual(new.partner_id, self.follower)
        self.assertTrue(new.customer_unverified)
        self.assertNotIn(self.follower, new.message_partner_ids)
        self.assertIn("ignored: sender not authenticated", new.intake_trace)

    def test_dmarc_pass_threads_by_reference(self):
        self._assert_threaded(*self._reply_by_reference(PASS))

    def test_forged_follower_opens_unverified_ticket(self):
        new, message = self._reply_by_reference(FAIL)
        self._assert_unverified_ticket(new, message)
        self.assertIn("customer unverified", new.intake_trace)
        self.assertNotEqual(new.partner_id, self.ticket.partner_id)

    def test_no_result_per_team_setting(self):
        for label, headers in (
            ("no header", ()),
            (
                "dmarc none",
                (f"{OUR_MTA}; spf=none; dmarc=none header.from=customer.test",),
            ),
            ("dmarc temperror", (f"{OUR_MTA}; dmarc=temperror",)),
            ("no dmarc method", (f"{OUR_MTA}; spf=pass smtp.mailfrom=customer.test",)),
            ("unreadable", (f"{OUR_MTA}; dmarc",)),
        ):
            with self.subTest(case=label, trusted=True):
                self.team.trust_unauthenticated_email = True
                self._assert_threaded(*self._reply_by_reference(*headers))
            with self.subTest(case=label, trusted=False):
                self.team.trust_unauthenticated_email = False
                self._assert_unverified_ticket(*self._reply_by_reference(*headers))
        with self.subTest(case="pass", trusted=False):
            self._assert_threaded(*self._reply_by_reference(PASS))

    def test_only_the_topmost_header_counts(self):
        """The sender can write any Authentication-Results into their email;
        ours is above theirs."""
        forged_pass = f"{OUR_MTA}; dmarc=pass header.from=customer.test"
        with self.subTest(top="fail"):
            self._assert_unverified_ticket(*self._reply_by_reference(FAIL, forged_pass))
        with self.subTest(top="pass"):
            self._assert_threaded(*self._reply_by_reference(PASS, FAIL))

    def test_configured_authserv_id(self):
        """Behind a relay that stamps its own header on top, the system
        parameter names the server whose verdict counts."""
        relay_pass = "relay.partner.test; dmarc=pass header.from=customer.test"
        with self.subTest(configured=False):
            self._assert_threaded(*self._reply_by_reference(relay_pass, FAIL))
        self.env["ir.config_parameter"].set_param(
            "helpdesk_intake.authserv_id", OUR_MTA.upper()
        )
        with self.subTest(configured=True):
            self._assert_unverified_ticket(*self._reply_by_reference(relay_pass, FAIL))
        with self.subTest(configured=True, ours="pass"):
            self._assert_threaded(*self._reply_by_reference(relay_pass, PASS))

    def test_failed_new_email_of_existing_contact_is_unverified(self):
        ticket = self._deliver(
            FAIL, email_from=self.follower.email_formatted, subject="New problem"
        )
        self.assertEqual(ticket.partner_id, self.follower)
        self.assertTrue(ticket.customer_unverified)
        unknown = self._deliver(
            FAIL, email_from="newcomer@customer.test", subject="First contact"
        )
        self.assertFalse(unknown.customer_unverified, "a new contact proves nothing")

    def test_forward_attributed_only_when_authenticated(self):
        body = FORWARD_GMAIL_BODY.format(
            customer_email="jane@customer.test", subject="Blank pages"
        )
        forged = self._deliver(
            FAIL,
            email_from=self.user_employee.email_formatted,
            subject="Fwd: Blank pages",
            body=body,
        )
        self.assertEqual(forged.partner_id, self.partner_employee)
        self.assertIn("forward not re-attributed", forged.intake_trace)
        genuine = self._deliver(
            PASS,
            email_from=self.user_employee.email_formatted,
            subject="Fwd: Blank pages again",
            body=body,
        )
        self.assertEqual(genuine.partner_email, "jane@customer.test")

    def test_without_authres_headers_are_ignored(self):
        with patch.object(mail_tools, "authres", None):
            self._assert_threaded(*self._reply_by_reference(FAIL))
