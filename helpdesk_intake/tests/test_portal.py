from odoo.tests import HttpCase, tagged

from .common import HelpdeskIntakeCommon


@tagged("post_install", "-at_install", "helpdesk_intake", "portal")
class TestPortal(HttpCase, HelpdeskIntakeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Ticket = cls.env["helpdesk.ticket"].with_context(mail_notrack=True)
        cls.ticket_jane = Ticket.create(
            {
                "name": "Jane cannot export",
                "team_id": cls.team.id,
                "partner_id": cls.partner_portal.id,
            }
        )
        cls.ticket_other = Ticket.create(
            {
                "name": "Otto secret problem",
                "team_id": cls.team.id,
                "partner_id": cls.partner_portal_other.id,
            }
        )

    def test_my_tickets_lists_own_tickets(self):
        self.authenticate(self.user_portal.login, self.user_portal.login)
        response = self.url_open("/my/tickets")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.ticket_jane.name, response.text)
        self.assertIn(f">{self.ticket_jane.ref}<", response.text)
        self.assertNotIn(self.ticket_other.name, response.text)
        self.assertNotIn(f">{self.ticket_other.ref}<", response.text)

    def test_my_tickets_other_portal_user(self):
        self.authenticate(self.user_portal_other.login, self.user_portal_other.login)
        response = self.url_open("/my/tickets")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.ticket_other.name, response.text)
        self.assertNotIn(self.ticket_jane.name, response.text)

    def test_my_ticket_page(self):
        self.authenticate(self.user_portal.login, self.user_portal.login)
        response = self.url_open(f"/my/tickets/{self.ticket_jane.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.ticket_jane.name, response.text)
        self.assertIn(self.team.name, response.text)

    def test_my_ticket_page_of_another_customer(self):
        self.authenticate(self.user_portal.login, self.user_portal.login)
        response = self.url_open(f"/my/tickets/{self.ticket_other.id}")
        self.assertNotIn(self.ticket_other.name, response.text)
        self.assertNotIn(f"/my/tickets/{self.ticket_other.id}", response.url)

    def test_my_tickets_requires_login(self):
        response = self.url_open("/my/tickets")
        self.assertIn("/web/login", response.url)
        self.assertNotIn(self.ticket_jane.name, response.text)

    def test_access_token_for_anonymous_visitor(self):
        url = self.ticket_other.get_portal_url()
        self.assertIn("access_token=", url)
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.ticket_other.name, response.text)
        # a wrong token shows nothing
        response = self.url_open(
            f"/my/tickets/{self.ticket_other.id}?access_token=wrong"
        )
        self.assertNotIn(self.ticket_other.name, response.text)
        # no token at all neither
        response = self.url_open(f"/my/tickets/{self.ticket_other.id}")
        self.assertNotIn(self.ticket_other.name, response.text)
