from odoo.fields import Domain
from odoo.tests import HttpCase, tagged
from odoo.tools.safe_eval import safe_eval

from ..tools import spam_score, spam_verdict
from .common import HelpdeskIntakeCommon


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestSpam(HttpCase, HelpdeskIntakeCommon):
    """Emails flagged by the mail server open tickets kept in Spam: out of
    the views, counters and portal, without assignee, SLA nor
    acknowledgement, until an agent releases them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.write(
            {
                "assign_method": "balanced",
                "spam_score_threshold": 5.0,
                "sla_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Answer in 8 hours",
                            "stage_id": cls.stage_solved.id,
                            "time_hours": 8,
                        },
                    )
                ],
            }
        )

    def action_tickets(self, action, user):
        """The tickets an action shows to ``user``."""
        domain = action["domain"]
        if isinstance(domain, str):
            domain = safe_eval(domain, {"uid": user.id})
        return self.env["helpdesk.ticket"].with_user(user).search(Domain(domain))

    def _deliver_spam_check(self, headers, index, email=None):
        email = email or f"sender{index}@spam.test"
        with self.mock_mail_gateway():
            ticket = self.deliver(
                email_from=f'"Sender {index}" <{email}>',
                subject=f"Request {index}",
                headers=headers,
            )
            self.assertEqual(len(ticket), 1, "the email is never lost")
        return ticket, self.sent_to(email)

    def assertSpam(self, ticket, sent):
        self.assertTrue(ticket.is_spam)
        self.assertTrue(ticket.spam_reason)
        self.assertFalse(ticket.user_id, "no assignee")
        self.assertFalse(ticket.sla_status_ids, "no SLA")
        self.assertFalse(ticket.ack_pending)
        self.assertFalse(sent, "no acknowledgement")

    def test_flagged_emails_kept_in_spam(self):
        cases = [
            {"X-Spam-Flag": "YES"},
            {"X-Spam-Flag": "yes"},
            {"X-Spam-Flag": "  Yes  "},
            {"X-Spam-Status": "Yes, score=12.3 required=5.0 tests=BAYES_99"},
            {"X-Spam-Status": "YES,score=5.1"},
            {"x-spam-status": "yes"},
            {"X-Spam-Score": "7.3"},
            {"X-Spam-Score": "5"},  # equal to the threshold
            {"X-Spam-Score": "5.0"},
            {"X-Spam-Score": "+25"},
            {"X-Rspamd-Score": "12.50 / 15.00"},
            # a verdict against one saying the opposite, added by the sender
            {"X-Spam-Flag": "YES", "X-Spam-Score": "-3"},
            {"X-Spam-Status": "No, score=7.0 required=8.0", "X-Spam-Score": "7.0"},
        ]
        for index, headers in enumerate(cases):
            with self.subTest(headers=headers):
                self.assertSpam(*self._deliver_spam_check(headers, index))

    def test_unflagged_emails_are_tickets(self):
        cases = [
            {},
            {"X-Spam-Flag": "NO"},
            {"X-Spam-Flag": "yesterday"},
            {"X-Spam-Status": "No, score=2.1 required=5.0"},
            {"X-Spam-Status": "No, score=-0.1 hits=Yes"},
            {"X-Spam-Score": "4.99"},  # just below the threshold
            {"X-Spam-Score": "-12"},
            {"X-Spam-Score": "garbage"},
            {"X-Spam-Score": "nan"},
            {"X-Spam-Score": "1e9"},
            {"X-Spam-Score": ""},
            {"X-Rspamd-Score": "4.20 / 15.00"},
            {"X-Spam-Level": "*******"},  # no verdict, only a picture of one
        ]
        for index, headers in enumerate(cases):
            with self.subTest(headers=headers):
                ticket, sent = self._deliver_spam_check(headers, 100 + index)
                self.assertFalse(ticket.is_spam)
                self.assertEqual(ticket.user_id, self.user_hd_agent)
                self.assertTrue(ticket.sla_status_ids)
                self.assertEqual(len(self.ack_mails(ticket)), 1)

    def test_team_threshold_and_toggle(self):
        self.team.spam_score_threshold = 10
        ticket, _sent = self._deliver_spam_check({"X-Spam-Score": "9.9"}, 200)
        self.assertFalse(ticket.is_spam)
        ticket, _sent = self._deliver_spam_check({"X-Spam-Score": "10"}, 201)
        self.assertTrue(ticket.is_spam)
        # 0: only the flags count
        self.team.spam_score_threshold = 0
        ticket, _sent = self._deliver_spam_check({"X-Spam-Score": "99"}, 202)
        self.assertFalse(ticket.is_spam)
        ticket, _sent = self._deliver_spam_check({"X-Spam-Flag": "YES"}, 203)
        self.assertTrue(ticket.is_spam)
        # another team keeps its own threshold
        with self.mock_mail_gateway():
            ticket_b = self.deliver(to=self.alias_b, headers={"X-Spam-Score": "6"})
        self.assertTrue(ticket_b.is_spam)
        # verdicts ignored altogether
        self.team.use_spam_headers = False
        ticket, _sent = self._deliver_spam_check({"X-Spam-Flag": "YES"}, 204)
        self.assertFalse(ticket.is_spam)

    def test_spam_notifies_nobody(self):
        follower = self.env["res.partner"].create(
            {"name": "Team Follower", "email": "follower@customer.test"}
        )
        self.team.message_subscribe(follower.ids)
        self.team.message_subscribe(self.user_hd_agent.partner_id.ids)
        with self.mock_mail_gateway():
            ticket = self.deliver(
                email_from='"Spammer" <spammer@spam.test>',
                cc="follower@customer.test",
                headers={"X-Spam-Flag": "YES"},
            )
        self.assertTrue(ticket.is_spam)
        self.assertFalse(self._mails, "no email to the sender, Cc or followers")
        self.assertFalse(
            self.env["mail.notification"]
            .sudo()
            .search([("mail_message_id", "in", ticket.message_ids.ids)]),
            "no inbox notification to agents either",
        )

    def test_spam_out_of_views_and_counters(self):
        agent = self.user_hd_agent
        team = self.team.with_user(agent)
        counts = (team.open_ticket_count, team.unassigned_ticket_count)
        email_today = team.email_today_count
        ticket = self.deliver(headers={"X-Spam-Flag": "YES"})
        self.assertTrue(ticket.is_spam)
        team.invalidate_recordset()
        self.assertEqual((team.open_ticket_count, team.unassigned_ticket_count), counts)
        self.assertEqual(team.email_today_count, email_today)
        for action in (
            self.env.ref("helpdesk_intake.helpdesk_ticket_action")._get_action_dict(),
            self.env.ref(
                "helpdesk_intake.helpdesk_ticket_action_analysis"
            )._get_action_dict(),
            team.action_view_open_tickets(),
            team.action_view_unassigned_tickets(),
        ):
            with self.subTest(action=action["name"]):
                self.assertNotIn(ticket, self.action_tickets(action, agent))
        spam_action = self.env.ref("helpdesk_intake.helpdesk_ticket_action_spam")
        self.assertIn(
            ticket, self.action_tickets(spam_action._get_action_dict(), agent)
        )

    def test_spam_out_of_portal(self):
        ticket = self.deliver(
            email_from=f'"Jane" <{self.partner_portal.email}>',
            subject="Unmissable offer",
            headers={"X-Spam-Flag": "YES"},
        )
        self.assertTrue(ticket.is_spam)
        self.assertEqual(ticket.partner_id, self.partner_portal)
        self.assertIn(self.partner_portal, ticket.message_partner_ids)
        Ticket = self.env["helpdesk.ticket"].with_user(self.user_portal)
        self.assertNotIn(ticket, Ticket.search([]))
        self.authenticate(self.user_portal.login, self.user_portal.login)
        for url in ("/my/tickets", f"/my/tickets/{ticket.id}", "/my"):
            response = self.url_open(url)
            self.assertNotIn("Unmissable offer", response.text, url)
        self.authenticate(None, None)
        response = self.url_open(ticket.get_portal_url())
        self.assertNotIn("Unmissable offer", response.text, "nor with its token")

        # released, it is the customer's ticket like any other
        ticket.with_user(self.user_hd_agent).action_release_spam()
        self.authenticate(self.user_portal.login, self.user_portal.login)
        self.assertIn("Unmissable offer", self.url_open("/my/tickets").text)

    def test_release(self):
        with self.mock_mail_gateway():
            ticket = self.deliver(
                email_from='"Nina New" <nina@newcorp.test>',
                headers={"X-Spam-Score": "6.5"},
            )
        self.assertTrue(ticket.is_spam)
        self.assertFalse(self.sent_to("nina@newcorp.test"))
        with self.mock_mail_gateway():
            ticket.with_user(self.user_hd_agent).action_release_spam()
        self.assertFalse(ticket.is_spam)
        self.assertFalse(ticket.spam_reason)
        self.assertEqual(ticket.user_id, self.user_hd_agent, "assigned")
        self.assertEqual(len(ticket.sla_status_ids), 1, "SLA applied")
        self.assertEqual(len(self.ack_mails(ticket)), 1, "acknowledged")
        team = self.team.with_user(self.user_hd_agent)
        self.assertIn(
            ticket, self.action_tickets(team.action_view_open_tickets(), team.env.user)
        )
        # releasing again changes nothing and sends nothing more
        with self.mock_mail_gateway():
            ticket.action_release_spam()
        self.assertEqual(len(ticket.sla_status_ids), 1)
        self.assertFalse(self._mails)

    def test_spam_tools(self):
        self.assertEqual(spam_score(" 7.25 "), 7.25)
        self.assertIsNone(spam_score("inf"))
        self.assertIsNone(spam_score("7,3"))
        self.assertIsNone(spam_verdict([("X-Spam-Score", "7")], 0))
        self.assertEqual(
            spam_verdict([("X-Spam-Score", "7")], 5), "X-Spam-Score: 7 >= 5"
        )
