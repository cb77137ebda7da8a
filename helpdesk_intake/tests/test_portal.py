import re

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

    def test_my_tickets_lists_followed_tickets(self):
        # The tickets the record rules let a customer see: their own and
        # those they follow, out of Spam, in the teams open to portal users.
        Ticket = self.env["helpdesk.ticket"].with_context(mail_notrack=True)
        internal_team = self.env["helpdesk.team"].create(
            {"name": "Back office", "privacy_visibility": "internal"}
        )
        hidden = Ticket.create(
            [
                {"name": "Spam followed", "team_id": self.team.id, "is_spam": True},
                {"name": "Internal followed", "team_id": internal_team.id},
            ]
        )
        unverified = Ticket.create(
            {
                "name": "Typed by a visitor",
                "team_id": self.team.id,
                "partner_id": self.partner_portal.id,
                "customer_unverified": True,
            }
        )
        (self.ticket_other | hidden).message_subscribe(self.partner_portal.ids)
        unverified.message_unsubscribe(self.partner_portal.ids)
        self.authenticate(self.user_portal.login, self.user_portal.login)
        page = self.url_open("/my/tickets").text
        self.assertIn(self.ticket_jane.name, page)
        self.assertIn(self.ticket_other.name, page, "followed tickets are listed")
        for name in ("Spam followed", "Internal followed", "Typed by a visitor"):
            self.assertNotIn(name, page)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["ticket_count"]}
        )
        self.assertEqual(counters["ticket_count"], 2)

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


@tagged("post_install", "-at_install", "helpdesk_intake", "portal")
class TestPortalSearchAndClose(HttpCase, HelpdeskIntakeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.portal_allow_close = True
        Ticket = cls.env["helpdesk.ticket"].with_context(mail_notrack=True)
        cls.printer, cls.export, cls.urgent = Ticket.create(
            [
                {
                    "name": name,
                    "team_id": team.id,
                    "priority": priority,
                    "partner_id": cls.partner_portal.id,
                }
                for name, team, priority in (
                    ("Printer jams", cls.team, "0"),
                    ("Export fails", cls.team_b, "0"),
                    ("Server down", cls.team, "3"),
                )
            ]
        )
        cls.other = Ticket.create(
            {
                "name": "Otto printer secret",
                "team_id": cls.team.id,
                "partner_id": cls.partner_portal_other.id,
            }
        )

    def _closing_note(self, ticket):
        return ticket.message_ids.filtered(
            lambda m: "closed the ticket from the portal" in (m.body or "")
        )

    def _csrf(self, url):
        page = self.url_open(url).text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def test_search_by_title_and_reference(self):
        self.authenticate(self.user_portal.login, self.user_portal.login)
        page = self.url_open("/my/tickets?search=printer&search_in=name").text
        self.assertIn("Printer jams", page)
        self.assertNotIn("Export fails", page)
        self.assertNotIn("Otto printer secret", page, "others' tickets stay out")
        page = self.url_open(f"/my/tickets?search=%23{self.export.ref}").text
        self.assertIn("Export fails", page)
        self.assertNotIn("Printer jams", page)
        page = self.url_open(f"/my/tickets?search={self.other.ref}&search_in=ref").text
        self.assertNotIn("Otto printer secret", page)
        self.assertIn("You have no tickets yet.", page)

    def test_group_by(self):
        self.authenticate(self.user_portal.login, self.user_portal.login)
        page = self.url_open("/my/tickets?groupby=team").text
        self.assertIn(self.team.name, page)
        self.assertIn(self.team_b.name, page)
        self.assertEqual(page.count("o_helpdesk_portal_group"), 2)
        # each ticket listed once, under its team only
        for ticket in (self.printer, self.export, self.urgent):
            self.assertEqual(page.count(f">{ticket.ref}</a>"), 1, ticket.ref)
        page = self.url_open("/my/tickets?groupby=priority").text
        self.assertIn("Urgent", page)
        self.assertIn("Low", page)
        page = self.url_open("/my/tickets?groupby=unknown").text
        self.assertNotIn("o_helpdesk_portal_group", page)
        self.assertIn("Server down", page)

    def test_customer_closes_own_ticket(self):
        self.authenticate(self.user_portal.login, self.user_portal.login)
        url = f"/my/tickets/{self.printer.id}"
        self.assertIn("Close this ticket", self.url_open(url).text)
        csrf = self._csrf(url)
        response = self.url_open(f"{url}/close", data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self.printer.is_closed)
        self.assertEqual(
            self._closing_note(self.printer).author_id, self.partner_portal
        )
        # closed already: nothing more to close
        response = self.url_open(f"{url}/close", data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 403)

    def test_attacker_cannot_close_others_ticket(self):
        self.authenticate(self.user_portal_other.login, self.user_portal_other.login)
        own = f"/my/tickets/{self.other.id}"
        csrf = self._csrf(own)
        response = self.url_open(
            f"/my/tickets/{self.printer.id}/close", data={"csrf_token": csrf}
        )
        self.assertNotIn(f"/my/tickets/{self.printer.id}", response.url)
        self.assertFalse(self.printer.is_closed)
        # a made-up token neither
        self.url_open(
            f"/my/tickets/{self.printer.id}/close",
            data={"csrf_token": csrf, "access_token": "forged"},
        )
        self.assertFalse(self.printer.is_closed)
        # nor a POST without the session's CSRF token
        self.authenticate(self.user_portal.login, self.user_portal.login)
        response = self.url_open(
            f"/my/tickets/{self.printer.id}/close", data={"search": "x"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.printer.is_closed)

    def test_closing_needs_the_team_option(self):
        self.authenticate(self.user_portal.login, self.user_portal.login)
        url = f"/my/tickets/{self.export.id}"
        self.assertNotIn("Close this ticket", self.url_open(url).text)
        csrf = self._csrf(f"/my/tickets/{self.printer.id}")
        response = self.url_open(f"{url}/close", data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.export.is_closed)

    def test_link_holder_closes_ticket(self):
        self.printer._portal_ensure_token()
        url = self.printer.get_portal_url()
        self.assertIn("Close this ticket", self.url_open(url).text)
        response = self.url_open(
            f"/my/tickets/{self.printer.id}/close",
            data={
                "csrf_token": self._csrf(url),
                "access_token": self.printer.access_token,
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self.printer.is_closed)
        self.assertEqual(
            self._closing_note(self.printer).author_id, self.partner_portal
        )
