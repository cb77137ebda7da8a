import json
import re

from lxml import html

import odoo
from odoo.tests import HttpCase, new_test_user

from odoo.addons.helpdesk_intake.tests.common import HelpdeskIntakeCommon


def parse_data_values(text):
    """The JSON of a form's data-values, rewritten as the website form script
    does before parsing it (website/static/src/js/utils.js getParsedDataFor)."""
    text = re.sub(r"([,:[]\s*)True", r"\1true", text)
    text = re.sub(r"([,:[]\s*)(False|None)", r'\1""', text)
    text = re.sub(r"'(\s*[,:\]}])", r'"\1', text)
    text = re.sub(r"([{[:,]\s*)'", r'\1"', text)
    return json.loads(text)


class HelpdeskWebsiteCase(HelpdeskIntakeCommon):
    """The core's users and teams, a website, and a helpdesk team with its
    published form, one of the core's agents as member, a website designer
    and a portal customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website = cls.env.ref("website.default_website")
        cls.agent = cls.user_hd_agent
        cls.designer = new_test_user(
            cls.env,
            login="hdw_designer",
            name="Dean Designer",
            groups="base.group_user,website.group_website_designer",
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="hdw_portal",
            name="Paula Portal",
            email="paula.portal@example.com",
            groups="base.group_portal",
        )
        cls.team = cls.env["helpdesk.team"].create(
            {
                "name": "Web Support",
                "description": "<p>We answer questions about the web shop.</p>",
                "member_ids": [(6, 0, cls.agent.ids)],
                "assign_method": "balanced",
                "website_id": cls.website.id,
                "use_website_form": True,
                "privacy_visibility": "portal",
            }
        )
        cls.page = cls.team.website_page_id


class HelpdeskWebsiteCommon(HelpdeskWebsiteCase, HttpCase):
    """HelpdeskWebsiteCase, and the tools to post the form the way the
    browser does."""

    def setUp(self):
        super().setUp()
        self.authenticate(None, None)

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    def form_values(self, team=None, **values):
        """What the browser posts for a filled-in form of ``team``."""
        return {
            "partner_name": "Carla Customer",
            "partner_email": "carla@customer.example.com",
            "partner_phone": "+32 470 11 22 33",
            "name": "The checkout page is blank",
            "description": "Hello,\nthe checkout page stays blank.\nCarla",
            "team_id": str((team or self.team).id),
            **values,
        }

    def post_form(self, files=None, team=None, **values):
        """Post the ticket form and return the decoded JSON answer."""
        response = self.url_open(
            "/website/form/helpdesk.ticket",
            data=self.form_values(team, **values),
            files=files,
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def tickets(self, team=None):
        return self.env["helpdesk.ticket"].search(
            [("team_id", "=", (team or self.team).id)]
        )

    def use_website(self, website):
        """Make ``website`` the current website of the test browser session."""
        self.session["force_website_id"] = website.id
        odoo.http.root.session_store.save(self.session)

    def form_prefill(self, url):
        """The values the ticket form of the page at ``url`` starts with, as
        the form script reads them."""
        page = html.fromstring(self.url_open(url).text)
        (values,) = page.xpath("//*[@data-for='helpdesk_ticket_form']/@data-values")
        return parse_data_values(values)

    def csrf_token(self, url):
        """The CSRF token of the page at ``url``, as the form script reads it."""
        html = self.url_open(url).text
        return re.search(r'csrf_token: "([^"]+)"', html).group(1)
