from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import HelpdeskWebsiteCommon


@tagged("post_install", "-at_install")
class TestWebsiteForm(HelpdeskWebsiteCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website_2 = cls.env["website"].create({"name": "Second Website"})
        cls.team_2 = cls.env["helpdesk.team"].create(
            {
                "name": "Second Support",
                "website_id": cls.website_2.id,
                "use_website_form": True,
            }
        )

    def set_param(self, key, value):
        self.env["ir.config_parameter"].sudo().set_param(key, value)

    def assertRefused(self, result, team=None):
        self.assertFalse(result.get("id"), result)
        self.assertFalse(self.tickets(team), "no ticket may be created")

    # ------------------------------------------------------------
    # SUBMISSION
    # ------------------------------------------------------------

    def test_submit_creates_ticket(self):
        result = self.post_form(
            files={
                "Attachments[0][0]": (
                    "screenshot.png",
                    b"\x89PNG fake image",
                    "image/png",
                )
            },
            **{"Order Number": "SO042"},
        )
        ticket = self.tickets()
        self.assertEqual(result, {"id": ticket.id})
        self.assertEqual(ticket.name, "The checkout page is blank")
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.intake_channel, "website")
        self.assertEqual(ticket.priority, "0")
        self.assertEqual(ticket.stage_id, self.team.stage_ids[:1])
        self.assertEqual(ticket.user_id, self.agent, "the team's assignment applies")
        self.assertIn(
            "<p>Hello,<br>the checkout page stays blank.<br>Carla</p>",
            ticket.description,
        )
        self.assertIn(
            "Order Number : SO042", ticket.description, "custom fields are kept"
        )

        customer = ticket.partner_id
        self.assertEqual(customer.name, "Carla Customer")
        self.assertEqual(customer.email, "carla@customer.example.com")
        self.assertEqual(customer.phone, "+32 470 11 22 33")
        self.assertEqual(ticket.partner_phone, "+32 470 11 22 33")
        self.assertIn(
            customer, ticket.message_partner_ids, "the customer follows the ticket"
        )

        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(attachment.name, "screenshot.png")
        self.assertEqual(attachment.raw, b"\x89PNG fake image")
        self.env["helpdesk.ticket"]._cron_send_acknowledgements()
        ack = ticket.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        self.assertEqual(ack.partner_ids, customer, "the core acknowledges the ticket")

        confirmation = self.url_open("/helpdesk/ticket/submitted").text
        self.assertIn(f"#{ticket.ref}", confirmation)
        self.assertNotIn(
            "o_helpdesk_ticket_portal_link", confirmation, "visitors get no portal link"
        )

    def test_submit_existing_customer(self):
        customer = self.env["res.partner"].create(
            {"name": "Carla C.", "email": "Carla@Customer.example.com"}
        )
        self.post_form()
        self.assertEqual(self.tickets().partner_id, customer)
        self.assertEqual(
            customer.name, "Carla C.", "an existing contact is left untouched"
        )

    def test_logged_in_customer(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        token = self.csrf_token(self.team.website_url)
        result = self.post_form(
            partner_name="Paula",
            partner_email="paula.portal@example.com",
            csrf_token=token,
        )
        ticket = self.tickets()
        self.assertEqual(result, {"id": ticket.id})
        self.assertEqual(ticket.partner_id, self.portal_user.partner_id)
        confirmation = self.url_open("/helpdesk/ticket/submitted").text
        self.assertIn("o_helpdesk_ticket_portal_link", confirmation)
        self.assertIn(f"/my/tickets/{ticket.id}", confirmation)

    def test_logged_in_needs_csrf_token(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(
            "/website/form/helpdesk.ticket", data=self.form_values()
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.tickets())

    # ------------------------------------------------------------
    # VALIDATION
    # ------------------------------------------------------------

    def test_missing_required_fields(self):
        result = self.post_form(partner_email="", name=" ", description="")
        self.assertEqual(
            set(result["error_fields"]),
            {"partner_email", "name", "description"},
            result,
        )
        self.assertRefused(result)

    def test_required_field_set_in_editor(self):
        # the designer added a required "Order Number" to the form
        submit = '<div class="mb-0 py-2 col-12 s_website_form_submit"'
        field = (
            '<div data-name="Field" class="s_website_form_field mb-3 col-12'
            ' s_website_form_custom s_website_form_required" data-type="char">'
            '<input type="text" class="form-control s_website_form_input"'
            ' name="Order Number" required="1"/></div>'
        )
        arch = self.page.view_id.arch.replace(submit, field + submit)
        self.page.view_id.arch = arch
        result = self.post_form()
        self.assertEqual(list(result["error_fields"]), ["Order Number"])
        self.assertRefused(result)
        self.assertTrue(self.post_form(**{"Order Number": "SO042"}).get("id"))

    def test_invalid_email(self):
        result = self.post_form(partner_email="not an address")
        self.assertEqual(list(result["error_fields"]), ["partner_email"])
        self.assertRefused(result)

    def test_company_name_is_kept_on_the_ticket(self):
        self.assertIn(
            'name="partner_company_name"', self.url_open(self.team.website_url).text
        )
        self.post_form(partner_company_name="  Acme Lighting ")
        self.assertEqual(self.tickets().partner_company_name.strip(), "Acme Lighting")

    def test_company_name_is_optional_and_bounded(self):
        self.post_form()
        self.assertFalse(self.tickets().partner_company_name)
        answer = self.post_form(partner_company_name="A" * 129)
        self.assertIn("partner_company_name", answer["error_fields"])
        self.assertEqual(len(self.tickets()), 1, "the long one was refused")

    def test_forged_fields_ignored(self):
        other_stage = self.env.ref("helpdesk_intake.stage_solved")
        other_company = self.env["res.company"].create({"name": "Forged Company"})
        boss = self.env.ref("base.user_admin")
        # even when a designer whitelisted staff fields by dropping them in a form
        self.env["ir.model.fields"].formbuilder_whitelist(
            "helpdesk.ticket", ["user_id", "priority", "stage_id", "company_id"]
        )
        result = self.post_form(
            user_id=str(boss.id),
            stage_id=str(other_stage.id),
            company_id=str(other_company.id),
            priority="3",
            intake_channel="email",
            ref="HACKED",
            partner_id=str(boss.partner_id.id),
        )
        ticket = self.tickets()
        self.assertEqual(result, {"id": ticket.id})
        self.assertEqual(ticket.user_id, self.agent)
        self.assertEqual(ticket.stage_id, self.team.stage_ids[:1])
        self.assertEqual(ticket.company_id, self.team.company_id)
        self.assertEqual(ticket.priority, "0")
        self.assertEqual(ticket.intake_channel, "website")
        self.assertNotEqual(ticket.ref, "HACKED")
        self.assertNotEqual(ticket.partner_id, boss.partner_id)
        for forged in ("user_id", "stage_id", "company_id", "priority", "HACKED"):
            self.assertNotIn(forged, ticket.description)

    def test_html_is_not_interpreted(self):
        self.post_form(
            name='<img src=x onerror="alert(1)">',
            description='<script>alert("xss")</script>\n'
            '<a href="javascript:alert(1)">click</a>',
        )
        ticket = self.tickets()
        self.assertNotIn("<script", ticket.description)
        self.assertNotIn("<a ", ticket.description)
        self.assertIn("&lt;script&gt;", ticket.description)
        self.assertEqual(
            ticket.name, '<img src=x onerror="alert(1)">', "titles are plain text"
        )

    # ------------------------------------------------------------
    # ABUSE
    # ------------------------------------------------------------

    def test_honeypot(self):
        result = self.post_form(homepage="http://spam.example.com")
        self.assertTrue(result.get("error"))
        self.assertRefused(result)

    @mute_logger("odoo.http")
    def test_captcha(self):
        # reCAPTCHA (or Turnstile) checks the form's route when configured
        self.env["ir.config_parameter"].set_param("recaptcha_private_key", "secret")
        IrHttp = type(self.env["ir.http"])
        with patch.object(
            IrHttp, "_verify_recaptcha_token", return_value="is_bot"
        ) as verify:
            response = self.url_open(
                "/website/form/helpdesk.ticket", data=self.form_values()
            )
        self.assertEqual(verify.call_args.args[-1], "website_form")
        self.assertNotIn('"id"', response.text)
        self.assertFalse(self.tickets())

    def test_rate_limit(self):
        self.set_param("helpdesk_intake.rate_limit", 2)
        self.assertTrue(self.post_form().get("id"))
        self.assertTrue(self.post_form().get("id"))
        result = self.post_form()
        self.assertIn("Too many requests", result["error"])
        self.assertEqual(len(self.tickets()), 2)

        self.set_param("helpdesk_intake.rate_limit", 0)
        self.assertTrue(self.post_form().get("id"), "0 disables the limit")

    def test_attachment_too_large(self):
        self.set_param("helpdesk_intake_website.max_attachment_size", 1)
        result = self.post_form(
            files={
                "Attachments[0][0]": (
                    "big.bin",
                    b"0" * (1024 * 1024 + 1),
                    "application/pdf",
                )
            }
        )
        self.assertIn("big.bin", result["error_fields"]["Attachments"])
        self.assertRefused(result)
        self.assertFalse(
            self.env["ir.attachment"].search([("res_model", "=", "helpdesk.ticket")])
        )

    def test_too_many_attachments(self):
        self.set_param("helpdesk_intake_website.max_attachments", 2)
        files = [
            (f"Attachments[0][{i}]", (f"file{i}.txt", b"x", "text/plain"))
            for i in range(3)
        ]
        result = self.post_form(files=files)
        self.assertIn("up to 2 files", result["error_fields"]["Attachments"])
        self.assertRefused(result)

    # ------------------------------------------------------------
    # TEAMS AND WEBSITES
    # ------------------------------------------------------------

    def test_unpublished_team_refused(self):
        self.page.is_published = False
        result = self.post_form()
        self.assertIn("does not accept", result["error"])
        self.assertRefused(result)

    def test_form_switched_off_refused(self):
        self.team.use_website_form = False
        self.assertRefused(self.post_form())

    def test_unknown_or_missing_team_refused(self):
        self.assertRefused(self.post_form(team_id=str(self.team.id + 1000)))
        self.assertRefused(self.post_form(team_id=""))
        self.assertRefused(self.post_form(team_id="web-support"))

    def test_team_of_another_website_refused(self):
        result = self.post_form(team=self.team_2)
        self.assertIn("does not accept", result["error"])
        self.assertRefused(result, self.team_2)

    def test_two_websites_two_teams(self):
        self.assertTrue(self.post_form().get("id"))

        self.use_website(self.website_2)
        result = self.post_form(team=self.team_2, name="Question on the second website")
        self.assertTrue(result.get("id"), result)
        result = self.post_form(name="Wrong website")
        self.assertFalse(
            result.get("id"), "the first team's form is not on this website"
        )
        self.assertEqual(
            self.tickets(self.team_2).name, "Question on the second website"
        )
        self.assertEqual(len(self.tickets()), 1)
