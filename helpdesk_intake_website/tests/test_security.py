import odoo
from odoo.tests import JsonRpcException, new_test_user, tagged
from odoo.tools import mute_logger

from .common import HelpdeskWebsiteCommon

# Characters a customer name may not keep: they would let it act as, or add,
# an address once formatted into an email header.
ADDRESS_CHARS = '<>@,;"\r\n'
CONTROL_CHARS = {"NUL": "\x00", "ESC": "\x1b", "BEL": "\x07"}

# Inputs of the form (and a custom one) with a valid value around which a
# control character is put.
TEXT_INPUTS = {
    "partner_name": ("Carla", "Customer"),
    "name": ("The checkout page", "is blank"),
    "partner_email": ("carla", "@customer.example.com"),
    "partner_phone": ("+32 470", "11 22 33"),
    "description": ("Hello,\nthe checkout page", "stays blank."),
    "Order Number": ("SO", "042"),
}


def email_of_length(length):
    """A valid address of exactly ``length`` characters (64 before the @, DNS
    labels of at most 63 characters after it)."""
    domain_length = length - 65
    labels = ["d" * 63, "e" * 63, "f" * (domain_length - 63 - 63 - 2 - 8)]
    email = "c" * 64 + "@" + ".".join(labels) + ".example"
    assert len(email) == length, len(email)
    return email


def name_of_length(length):
    """A customer name of ``length`` characters, not all of them ASCII."""
    return "Zoé " + "é" * (length - 4)


@tagged("post_install", "-at_install")
class TestWebsiteFormSecurity(HelpdeskWebsiteCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Ticket = cls.env["helpdesk.ticket"]
        cls.Partner = cls.env["res.partner"]
        cls.paula = cls.portal_user.partner_id
        cls.other_portal_user = new_test_user(
            cls.env,
            login="hdw_otto",
            name="Otto Other",
            email="otto.other@example.com",
            groups="base.group_portal",
        )
        cls.contact_without_user = cls.Partner.create(
            {"name": "Nina Nouser", "email": "nina.nouser@example.com"}
        )
        cls.employee = new_test_user(
            cls.env,
            login="hdw_employee",
            name="Emma Employee",
            email="emma.employee@example.com",
            groups="base.group_user",
        )

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    # The test and the server share the database transaction, not the ORM
    # caches: what the test wrote is flushed before a request, and what the
    # request wrote is read again after it.
    def url_open(self, *args, **kwargs):
        self.env.flush_all()
        try:
            return super().url_open(*args, **kwargs)
        finally:
            self.env.invalidate_all()

    def make_jsonrpc_request(self, *args, **kwargs):
        self.env.flush_all()
        try:
            return super().make_jsonrpc_request(*args, **kwargs)
        finally:
            self.env.invalidate_all()

    def set_param(self, key, value):
        self.env["ir.config_parameter"].sudo().set_param(key, value)

    def post_as(self, user, **values):
        """Post the form logged in as ``user``, with the page's CSRF token."""
        self.authenticate(user.login, user.login)
        token = self.csrf_token(self.team.website_url)
        return self.post_form(csrf_token=token, **values)

    def created_ticket(self, result):
        self.assertTrue(result.get("id"), result)
        return self.Ticket.browse(result["id"])

    def confirmation_page(self, ticket):
        """The confirmation page the browser is shown after submitting
        ``ticket``, whose access token exists beforehand so that the page
        could leak it."""
        ticket._portal_ensure_token()
        response = self.url_open("/helpdesk/ticket/submitted")
        self.assertEqual(response.status_code, 200)
        self.assertInPage(f"#{ticket.ref}", response.text)
        return response.text

    def assertNotInPage(self, text, page, msg=None):
        # without the whole page in the failure message
        self.assertFalse(text in page, msg or f"{text!r} is in the page")

    def assertInPage(self, text, page, msg=None):
        self.assertTrue(text in page, msg or f"{text!r} is not in the page")

    def assertNoPortalAccess(self, page, ticket):
        self.assertNotInPage(ticket.access_token, page, "the access token is secret")
        self.assertNotInPage("access_token", page)
        self.assertNotInPage("o_helpdesk_ticket_portal_link", page)
        self.assertNotInPage(f"/my/tickets/{ticket.id}", page)

    def assertPortalLink(self, page, ticket):
        self.assertInPage("o_helpdesk_ticket_portal_link", page)
        self.assertInPage(f"/my/tickets/{ticket.id}", page)

    def rpc(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def assertCannotSee(self, user, ticket):
        """``user`` sees ``ticket`` neither in the portal (without its token)
        nor through RPC."""
        self.authenticate(user.login, user.login)
        listing = self.url_open("/my/tickets")
        self.assertEqual(listing.status_code, 200)
        self.assertNotInPage(ticket.name, listing.text)
        self.assertNotInPage(f"/my/tickets/{ticket.id}", listing.text)
        page = self.url_open(f"/my/tickets/{ticket.id}")
        self.assertNotInPage(ticket.name, page.text)
        self.assertNotIn(f"/my/tickets/{ticket.id}", page.url)
        with mute_logger("odoo.http"):
            with self.assertRaises(JsonRpcException) as error:
                self.rpc("helpdesk.ticket", "read", [ticket.id], ["name"])
        self.assertEqual(str(error.exception), "odoo.exceptions.AccessError")
        found = self.rpc("helpdesk.ticket", "search_read", [], ["name"])
        self.assertNotIn(ticket.id, [row["id"] for row in found])

    def assertSeesInPortal(self, user, ticket):
        self.authenticate(user.login, user.login)
        listing = self.url_open("/my/tickets")
        self.assertInPage(ticket.name, listing.text)
        self.assertInPage(f"/my/tickets/{ticket.id}", listing.text)

    def assertRefusedInput(self, result, input_name, tickets_before):
        self.assertIn("error_fields", result)
        self.assertEqual(list(result["error_fields"]), [input_name], result)
        self.assertFalse(result.get("id"), result)
        self.assertEqual(self.tickets(), tickets_before, "no ticket may be created")

    # ------------------------------------------------------------
    # CONFIRMATION PAGE AND TOKENS
    # ------------------------------------------------------------

    def test_portal_user_with_other_customer_email_gets_own_ticket(self):
        for other in (self.contact_without_user, self.other_portal_user.partner_id):
            with self.subTest(other=other.name):
                result = self.post_as(
                    self.portal_user,
                    partner_name=other.name,
                    partner_email=other.email,
                    name=f"Posing as {other.name}",
                )
                ticket = self.created_ticket(result)
                self.assertEqual(
                    ticket.partner_id,
                    self.paula,
                    "a logged-in user's ticket is theirs, whatever email they type",
                )
                self.assertNotIn(other, ticket.message_partner_ids)
                self.assertPortalLink(self.confirmation_page(ticket), ticket)
                self.assertFalse(ticket.customer_unverified)
        # the last one has the address of Otto's portal account
        self.assertCannotSee(self.other_portal_user, ticket)

    def test_portal_user_with_unknown_email_gets_own_ticket(self):
        result = self.post_as(
            self.portal_user, partner_email="paula.private@elsewhere.example"
        )
        ticket = self.created_ticket(result)
        self.assertEqual(ticket.partner_id, self.paula)
        self.assertIn(self.paula, ticket.message_partner_ids)
        self.assertPortalLink(self.confirmation_page(ticket), ticket)
        self.assertFalse(ticket.customer_unverified)

    def test_portal_user_with_own_email_gets_portal_link(self):
        result = self.post_as(
            self.portal_user, partner_email="Paula.Portal@Example.com"
        )
        ticket = self.created_ticket(result)
        self.assertEqual(ticket.partner_id, self.paula)
        self.assertPortalLink(self.confirmation_page(ticket), ticket)
        self.assertFalse(ticket.customer_unverified)

    def test_internal_user_with_other_customer_email_gets_own_ticket(self):
        result = self.post_as(
            self.employee,
            partner_name="Paula Portal",
            partner_email=self.paula.email,
        )
        ticket = self.created_ticket(result)
        self.assertEqual(ticket.partner_id, self.employee.partner_id)
        self.assertNotIn(self.paula, ticket.message_partner_ids)
        self.assertPortalLink(self.confirmation_page(ticket), ticket)
        self.assertFalse(ticket.customer_unverified)
        self.assertCannotSee(self.portal_user, ticket)

    def test_confirmation_page_hides_token_of_someone_elses_ticket(self):
        # the user submitted a ticket, which the team then moved to another
        # customer: coming back to the page gives no access to it
        result = self.post_as(self.portal_user)
        ticket = self.created_ticket(result)
        ticket.partner_id = self.other_portal_user.partner_id
        self.assertNoPortalAccess(self.confirmation_page(ticket), ticket)

        self.authenticate(self.employee.login, self.employee.login)
        self.session["form_builder_model_model"] = "helpdesk.ticket"
        self.session["form_builder_id"] = ticket.id
        odoo.http.root.session_store.save(self.session)
        self.assertNoPortalAccess(self.confirmation_page(ticket), ticket)

    def test_public_visitor_never_gets_link_or_token(self):
        for email in (self.paula.email, "new.visitor@example.org"):
            with self.subTest(email=email):
                self.authenticate(None, None)
                ticket = self.created_ticket(self.post_form(partner_email=email))
                self.assertNoPortalAccess(self.confirmation_page(ticket), ticket)

    # ------------------------------------------------------------
    # UNVERIFIED ADDRESSES
    # ------------------------------------------------------------

    def test_public_known_address_links_contact_unverified(self):
        result = self.post_form(
            partner_name="Someone Typing",
            partner_email="paula.portal@example.com",
            name="Unverified request of Paula",
        )
        ticket = self.created_ticket(result)
        self.assertEqual(ticket.partner_id, self.paula)
        self.assertEqual(ticket.partner_name, "Someone Typing", "typed name is kept")
        self.assertEqual(ticket.partner_email, "paula.portal@example.com")
        self.assertEqual(self.paula.name, "Paula Portal", "the contact is untouched")
        self.assertNotIn(
            self.paula, ticket.message_partner_ids, "the contact does not follow it"
        )
        self.assertTrue(ticket.customer_unverified)

    def test_public_known_address_hidden_from_contact_portal_user(self):
        result = self.post_form(
            partner_email="paula.portal@example.com",
            name="Unverified request of Paula",
        )
        ticket = self.created_ticket(result)
        self.assertEqual(ticket.partner_id, self.paula)
        self.assertCannotSee(self.portal_user, ticket)

    def test_public_known_contact_without_user_unverified(self):
        result = self.post_form(partner_email="nina.nouser@example.com")
        ticket = self.created_ticket(result)
        self.assertEqual(ticket.partner_id, self.contact_without_user)
        self.assertNotIn(self.contact_without_user, ticket.message_partner_ids)
        self.assertTrue(ticket.customer_unverified)

    def test_public_known_address_other_case_and_spaces(self):
        partners = self.Partner.search_count([])
        result = self.post_form(partner_email="  Paula.Portal@Example.com ")
        ticket = self.created_ticket(result)
        self.assertEqual(ticket.partner_id, self.paula)
        self.assertEqual(self.Partner.search_count([]), partners, "no new contact")
        self.assertNotIn(self.paula, ticket.message_partner_ids)
        self.assertTrue(ticket.customer_unverified)

    def test_access_token_link_verifies_customer(self):
        result = self.post_form(
            partner_email="paula.portal@example.com",
            name="Paula verifies her request",
        )
        ticket = self.created_ticket(result)
        self.assertNotIn(self.paula, ticket.message_partner_ids)
        # the link of the acknowledgement email, opened by its recipient
        self.authenticate(None, None)
        response = self.url_open(ticket.get_portal_url())
        self.assertEqual(response.status_code, 200)
        self.assertInPage("Paula verifies her request", response.text)
        self.assertFalse(ticket.customer_unverified)
        self.assertIn(self.paula, ticket.message_partner_ids)
        self.assertSeesInPortal(self.portal_user, ticket)
        page = self.url_open(f"/my/tickets/{ticket.id}").text
        self.assertInPage("Paula verifies her request", page)

    def test_wrong_access_token_does_not_verify(self):
        result = self.post_form(partner_email="paula.portal@example.com")
        ticket = self.created_ticket(result)
        ticket._portal_ensure_token()
        for token in ("wrong", "", ticket.access_token[:-1]):
            self.url_open(f"/my/tickets/{ticket.id}?access_token={token}")
        self.authenticate(self.portal_user.login, self.portal_user.login)
        self.url_open(f"/my/tickets/{ticket.id}?access_token=wrong")
        self.assertNotIn(self.paula, ticket.message_partner_ids)
        self.assertTrue(ticket.customer_unverified)

    def test_public_unknown_address_new_verified_contact(self):
        result = self.post_form(
            partner_name="Nora Newcomer", partner_email="Nora.Newcomer@Example.org"
        )
        ticket = self.created_ticket(result)
        customer = ticket.partner_id
        self.assertTrue(customer)
        self.assertNotIn(customer, self.paula | self.contact_without_user)
        self.assertEqual(customer.email_normalized, "nora.newcomer@example.org")
        self.assertEqual(customer.name, "Nora Newcomer")
        self.assertIn(customer, ticket.message_partner_ids)
        self.assertFalse(ticket.customer_unverified)

    # ------------------------------------------------------------
    # NAME NEUTRALISATION
    # ------------------------------------------------------------

    def test_hostile_names_never_change_customer_address(self):
        hostile = {
            "Evil <attacker@evil.example>": ["attacker@evil.example"],
            "a@b.example, c@d.example": ["a@b.example", "c@d.example"],
            '"Quoted" <x@y>': ["x@y"],
            "x;y@z": ["y@z", "x;y@z"],
            "Eve, <eve@evil.example>; Bob": ["eve@evil.example"],
        }
        for index, (name, attacker_emails) in enumerate(hostile.items()):
            with self.subTest(name=name):
                email = f"carla{index}@customer.example.com"
                partners = self.Partner.search_count([])
                ticket = self.created_ticket(
                    self.post_form(partner_name=name, partner_email=email)
                )
                self.assertEqual(ticket.partner_email, email)
                self.assertEqual(ticket.partner_id.email, email)
                self.assertEqual(
                    self.Partner.search_count([]), partners + 1, "one new contact"
                )
                self.assertFalse(
                    self.Partner.search([("email_normalized", "in", attacker_emails)]),
                    "no contact has the attacker's address",
                )
                for stored in (ticket.partner_name, ticket.partner_id.name):
                    self.assertTrue(stored)
                    self.assertFalse(set(stored) & set(ADDRESS_CHARS), stored)
                    self.assertEqual(stored, " ".join(stored.split()), stored)

    def test_hostile_name_of_known_contact_keeps_address(self):
        ticket = self.created_ticket(
            self.post_form(
                partner_name="Paula <attacker@evil.example>",
                partner_email="paula.portal@example.com",
            )
        )
        self.assertEqual(ticket.partner_id, self.paula)
        self.assertEqual(self.paula.email, "paula.portal@example.com")
        self.assertEqual(self.paula.name, "Paula Portal")
        self.assertFalse(set(ticket.partner_name) & set(ADDRESS_CHARS))
        self.assertFalse(
            self.Partner.search([("email_normalized", "=", "attacker@evil.example")])
        )

    def test_name_with_line_break_never_adds_recipient(self):
        # a name is a single line: it is refused, or cleaned of its breaks
        tickets = self.tickets()
        name = "Name\r\nBcc: x@y.example"
        result = self.post_form(partner_name=name)
        self.assertFalse(
            self.Partner.search([("email_normalized", "=", "x@y.example")])
        )
        if "error_fields" in result:
            self.assertRefusedInput(result, "partner_name", tickets)
            return
        ticket = self.created_ticket(result)
        self.assertEqual(ticket.partner_id.email, "carla@customer.example.com")
        for stored in (ticket.partner_name, ticket.partner_id.name):
            self.assertFalse(set(stored) & set(ADDRESS_CHARS), repr(stored))

    # ------------------------------------------------------------
    # LENGTHS AND BYTES
    # ------------------------------------------------------------

    def test_input_over_maximum_length_refused(self):
        too_long = {
            "partner_name": name_of_length(129),
            "partner_email": email_of_length(255),
            "partner_phone": "+32 " + "4" * 29,
        }
        self.assertEqual(len(too_long["partner_phone"]), 33)
        for input_name, value in too_long.items():
            with self.subTest(input=input_name):
                tickets = self.tickets()
                result = self.post_form(**{input_name: value})
                self.assertRefusedInput(result, input_name, tickets)

    def test_input_at_maximum_length_accepted(self):
        name = name_of_length(128)
        email = email_of_length(254)
        phone = "+32 " + "4" * 28
        self.assertEqual(len(phone), 32)
        ticket = self.created_ticket(
            self.post_form(partner_name=name, partner_email=email, partner_phone=phone)
        )
        self.assertEqual(ticket.partner_name, name)
        self.assertEqual(ticket.partner_email, email)
        self.assertEqual(ticket.partner_phone, phone)
        self.assertEqual(ticket.partner_id.email, email)

    def test_long_title_cut_on_word_with_ellipsis(self):
        words = " ".join(f"step{i:03d}" for i in range(100))
        title = ("The checkout page fails at " + words)[:500].rstrip()
        self.assertEqual(len(title), 500)
        ticket = self.created_ticket(self.post_form(name=title))
        self.assertLessEqual(len(ticket.name), 200)
        self.assertTrue(ticket.name.endswith("…"), ticket.name)
        kept = ticket.name[:-1].rstrip()
        self.assertGreater(len(kept), 180, "only the last word may be cut off")
        self.assertTrue(title.startswith(kept), ticket.name)
        self.assertEqual(title[len(kept)], " ", "the title is cut between words")
        self.assertIn(title, ticket.description, "the full title is kept")
        self.assertIn("the checkout page stays blank", ticket.description)

    def test_title_at_maximum_length_kept(self):
        title = ("The checkout page fails " * 10)[:200]
        self.assertEqual(len(title), 200)
        ticket = self.created_ticket(self.post_form(name=title))
        self.assertEqual(ticket.name, title)

    def test_control_characters_refused_per_input(self):
        for input_name, (before, after) in TEXT_INPUTS.items():
            for label, char in CONTROL_CHARS.items():
                with self.subTest(input=input_name, char=label):
                    tickets = self.tickets()
                    # post_form checks that the answer is not an HTTP error
                    result = self.post_form(**{input_name: before + char + after})
                    self.assertRefusedInput(result, input_name, tickets)

    def test_tab_and_line_breaks_in_description_accepted(self):
        description = "Order\tSO042\r\nLine 2\nLine 3\r\n\tindented"
        ticket = self.created_ticket(self.post_form(description=description))
        self.assertIn("SO042", ticket.description)
        self.assertIn("indented", ticket.description)

    # ------------------------------------------------------------
    # RATE LIMITS
    # ------------------------------------------------------------

    def test_rate_limit_per_email_address(self):
        self.set_param("helpdesk_intake.rate_limit_email", 2)
        self.created_ticket(self.post_form(partner_email="carla@customer.example.com"))
        self.created_ticket(self.post_form(partner_email="Carla@Customer.example.com"))
        tickets = self.tickets()
        result = self.post_form(partner_email="  CARLA@customer.EXAMPLE.com")
        self.assertTrue(result.get("error"), result)
        self.assertFalse(result.get("id"), result)
        self.assertEqual(self.tickets(), tickets)
        # other customers are not held back by Carla's address
        self.created_ticket(self.post_form(partner_email="dora@customer.example.com"))
        self.assertEqual(len(self.tickets()), 3)

        self.set_param("helpdesk_intake.rate_limit_email", 0)
        self.created_ticket(self.post_form(partner_email="carla@customer.example.com"))

    def test_rate_limit_per_client_address(self):
        self.set_param("helpdesk_intake.rate_limit", 2)
        self.set_param("helpdesk_intake.rate_limit_email", 0)
        self.created_ticket(self.post_form(partner_email="one@customer.example.com"))
        self.created_ticket(self.post_form(partner_email="two@customer.example.com"))
        result = self.post_form(partner_email="three@customer.example.com")
        self.assertTrue(result.get("error"), result)
        self.assertFalse(result.get("id"), result)
        self.assertEqual(len(self.tickets()), 2)

        self.set_param("helpdesk_intake.rate_limit", 0)
        self.created_ticket(self.post_form(partner_email="three@customer.example.com"))
