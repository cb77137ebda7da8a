from odoo.tests import tagged

from .common import HelpdeskWebsiteCommon

# Queries of one POST of the ticket form, all of them run by the server
# thread: an HttpCase request runs on a test cursor over the test's own
# cursor, so ``self.cr.sql_log_count`` counts them, without the savepoints
# that stand in for the request's commit. They cover the session and
# website of the request, the CSRF check, the checks of the posted values,
# the rate limits, customer matching (or creation), the ticket with its
# reference, stage, assignment and SLA, the confirmation message and its
# followers, and the submission record. Measured with the five addons
# installed: 93 (visitor with a new address), 75 (visitor with a known
# customer's address), 76 (logged-in portal user); a few queries of margin.
NEW_VISITOR_BUDGET = 100
KNOWN_ADDRESS_BUDGET = 80
PORTAL_USER_BUDGET = 80


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_performance")
class TestFormPerformance(HelpdeskWebsiteCommon):
    def setUp(self):
        super().setUp()
        self.customer = self.env["res.partner"].create(
            {"name": "Kim Known", "email": "kim.known@customer.example.com"}
        )

    def count_submit_queries(self, budget, **values):
        """Post the ticket form once, within ``budget`` queries; return the
        number of queries and the ticket created."""
        self.env.invalidate_all()
        with self.assertQueryCount(budget):
            count0 = self.cr.sql_log_count
            result = self.post_form(**values)
            count = self.cr.sql_log_count - count0
        self.assertTrue(result.get("id"), result)
        return count, self.env["helpdesk.ticket"].browse(result["id"])

    def add_tickets(self, partner, count=200):
        # without the creation messages, which the submit never reads: ten
        # times faster to create
        self.env["helpdesk.ticket"].with_context(tracking_disable=True).create(
            [
                {
                    "name": f"Earlier request {index}",
                    "team_id": self.team.id,
                    "partner_id": partner.id,
                    "user_id": self.agent.id,
                }
                for index in range(count)
            ]
        )

    def assertFlat(self, budget, values, more_data, check):
        """The submit costs as many queries once ``more_data`` is added as
        before, both within ``budget``; ``check`` receives each ticket."""
        # warm-up: registry and ORM caches, sequences, the visitor's session
        self.post_form(**values(0))
        before, ticket = self.count_submit_queries(budget, **values(1))
        check(ticket)
        more_data()
        after, ticket = self.count_submit_queries(budget, **values(2))
        check(ticket)
        self.assertEqual(after, before, "the submit must not cost more with more data")

    def test_new_visitor_query_budget(self):
        def values(index):
            return {
                "partner_name": f"Nina New {index}",
                "partner_email": f"nina.new{index}@visitor.example.com",
            }

        def check(ticket):
            self.assertTrue(ticket.partner_id.email.startswith("nina.new"))
            self.assertFalse(ticket.customer_unverified)

        def more_data():
            others = self.env["res.partner"].create(
                [
                    {"name": f"Other {i}", "email": f"other{i}@example.com"}
                    for i in (1, 2)
                ]
            )
            self.add_tickets(others[0], 100)
            self.add_tickets(others[1], 100)

        self.assertFlat(NEW_VISITOR_BUDGET, values, more_data, check)

    def test_known_address_query_budget(self):
        def values(index):
            return {
                "partner_name": "Kim",
                "partner_email": self.customer.email,
                "name": f"Known customer request {index}",
            }

        def check(ticket):
            self.assertEqual(ticket.partner_id, self.customer)
            self.assertTrue(ticket.customer_unverified)

        self.assertFlat(
            KNOWN_ADDRESS_BUDGET,
            values,
            lambda: self.add_tickets(self.customer),
            check,
        )

    def test_portal_user_query_budget(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        token = self.csrf_token(self.team.website_url)

        def values(index):
            return {
                "partner_name": "Paula",
                "partner_email": self.portal_user.email,
                "name": f"Portal request {index}",
                "csrf_token": token,
            }

        def check(ticket):
            self.assertEqual(ticket.partner_id, self.portal_user.partner_id)
            self.assertFalse(ticket.customer_unverified)

        self.assertFlat(
            PORTAL_USER_BUDGET,
            values,
            lambda: self.add_tickets(self.portal_user.partner_id),
            check,
        )
