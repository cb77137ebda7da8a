from odoo.tests import tagged

from .common import HelpdeskIntakeCommon


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_performance")
class TestGatewayPerformance(HelpdeskIntakeCommon):
    def test_new_ticket_query_budget(self):
        # warm-up: registry caches, sequences, templates, ORM caches
        self.deliver(
            subject="Warm-up request", email_from='"Warm Up" <warm.up@customer.test>'
        )
        raw = self.build_email(
            subject="Measured request",
            email_from='"Chuck Customer" <chuck@customer.test>',
        )
        self.env.invalidate_all()
        with self.mock_mail_gateway():
            # measured: 95 queries (new ticket, known customer, ack sent);
            # small margin for the caches of other installed addons
            with self.assertQueryCount(100):
                self.env["mail.thread"].sudo().message_process(None, raw)
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "Measured request")])
        self.assertEqual(len(ticket), 1)
        self.assertEqual(len(self.ack_mails(ticket)), 1)
