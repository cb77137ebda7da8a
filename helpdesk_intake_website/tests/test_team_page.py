import importlib.util

from odoo.tests import new_test_user, tagged
from odoo.tools import file_path

from .common import HelpdeskWebsiteCommon


@tagged("post_install", "-at_install")
class TestTeamPage(HelpdeskWebsiteCommon):
    def test_toggle_creates_the_team_page(self):
        team = self.env["helpdesk.team"].create({"name": "Returns Desk"})
        self.assertFalse(team.website_page_id)

        team.use_website_form = True
        page = team.website_page_id
        self.assertEqual(page.url, "/helpdesk/returns-desk")
        self.assertEqual(page.website_id, self.website)
        self.assertEqual(page.view_id.website_id, self.website)
        self.assertTrue(page.is_published)
        self.assertTrue(team.is_published)
        self.assertEqual(team.website_url, "/helpdesk/returns-desk")

        homonym = self.env["helpdesk.team"].create(
            {"name": "Returns Desk", "use_website_form": True}
        )
        self.assertEqual(homonym.website_url, "/helpdesk/returns-desk-1")

    def test_helpdesk_manager_switches_the_form_on(self):
        manager = new_test_user(
            self.env,
            login="hdw_manager",
            groups="helpdesk_intake.group_helpdesk_manager",
        )
        team = (
            self.env["helpdesk.team"]
            .with_user(manager)
            .create({"name": "Managed Desk"})
        )
        team.use_website_form = True
        self.assertTrue(team.website_page_id.is_published)
        self.assertTrue(team.is_published)
        self.assertEqual(team.website_url, "/helpdesk/managed-desk")

    def test_each_team_has_its_own_form(self):
        team_b = self.env["helpdesk.team"].create(
            {"name": "Billing Desk", "use_website_form": True}
        )
        self.assertNotEqual(team_b.website_page_id.view_id, self.page.view_id)

        # what the website editor does when saving the first team's form
        view = self.page.view_id.with_context(website_id=self.website.id)
        view.arch = view.arch.replace("Your Email", "Your Work Email")
        self.assertEqual(
            view.id, self.page.view_id.id, "the page's own view is edited, not a copy"
        )

        self.assertIn("Your Work Email", self.url_open(self.team.website_url).text)
        other_page = self.url_open(team_b.website_url).text
        self.assertNotIn("Your Work Email", other_page)
        self.assertIn("Your Email", other_page)

    def test_team_page_content(self):
        response = self.url_open("/helpdesk/web-support")
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertIn("Web Support", html)
        self.assertIn("We answer questions about the web shop.", html)
        self.assertIn('data-model_name="helpdesk.ticket"', html)
        self.assertIn('hide-change-model="true"', html)
        self.assertIn(f'data-values="{{&#34;team_id&#34;: {self.team.id}}}"', html)
        for name in (
            "partner_name",
            "partner_email",
            "partner_phone",
            "name",
            "description",
        ):
            self.assertIn(f'name="{name}"', html)
        self.assertIn('type="file"', html)
        self.assertIn('name="homepage"', html, "the honeypot")

    def test_logged_in_customer_prefill(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        html = self.url_open(self.team.website_url).text
        self.assertIn(
            "&#34;partner_email&#34;: &#34;paula.portal@example.com&#34;", html
        )
        self.assertIn("&#34;partner_name&#34;: &#34;Paula Portal&#34;", html)

    def test_prefill_survives_the_form_script(self):
        # The form script turns Python-style quotes and constants into JSON
        # before parsing the prefill: a name with a quote followed by a comma,
        # or with ": None", must reach the form as it is.
        self.portal_user.name = "O'Brien, Jr: None"
        self.authenticate(self.portal_user.login, self.portal_user.login)
        self.assertEqual(
            self.form_prefill(self.team.website_url),
            {
                "team_id": self.team.id,
                "partner_name": "O'Brien, Jr: None",
                "partner_email": "paula.portal@example.com",
            },
        )

    def test_unpublished_page(self):
        self.page.is_published = False
        self.assertFalse(self.team.is_published)
        self.assertEqual(self.url_open(self.team.website_url).status_code, 404)
        self.assertNotIn("Web Support", self.url_open("/helpdesk").text)

        self.authenticate(self.designer.login, self.designer.login)
        self.assertEqual(self.url_open(self.team.website_url).status_code, 200)
        teams = self.url_open("/helpdesk").text
        self.assertIn("Web Support", teams)
        self.assertIn("Unpublished", teams)

    def test_switching_the_form_off_and_on(self):
        self.assertEqual(self.url_open(self.team.website_url).status_code, 200)
        self.team.use_website_form = False
        self.assertFalse(self.page.is_published)
        self.assertEqual(self.url_open(self.team.website_url).status_code, 404)

        self.team.use_website_form = True
        self.assertEqual(
            self.team.website_page_id, self.page, "the same page comes back"
        )
        self.assertTrue(self.page.is_published)
        self.assertEqual(self.url_open(self.team.website_url).status_code, 200)

    def test_archived_team(self):
        self.team.action_archive()
        self.assertFalse(self.page.is_published)
        self.team.action_unarchive()
        self.assertTrue(self.page.is_published)

    def test_teams_of_the_current_website(self):
        website_2 = self.env["website"].create({"name": "Second Website"})
        self.env["helpdesk.team"].create(
            {
                "name": "Elsewhere Desk",
                "website_id": website_2.id,
                "use_website_form": True,
            }
        )
        self.env["helpdesk.team"].create({"name": "Formless Desk"})
        html = self.url_open("/helpdesk").text
        self.assertIn("Web Support", html)
        self.assertIn('href="/helpdesk/web-support"', html)
        self.assertNotIn("Elsewhere Desk", html)
        self.assertNotIn("Formless Desk", html)

        self.use_website(website_2)
        html = self.url_open("/helpdesk").text
        self.assertIn("Elsewhere Desk", html)
        self.assertNotIn("Web Support", html)
        self.assertEqual(self.url_open(self.team.website_url).status_code, 404)

    def test_move_to_another_website(self):
        website_2 = self.env["website"].create({"name": "Second Website"})
        self.team.website_id = website_2
        self.assertEqual(self.page.website_id, website_2)
        self.assertEqual(self.page.view_id.website_id, website_2)
        self.assertEqual(self.page.url, "/helpdesk/web-support")

    def test_rename_team(self):
        self.team.name = "Web Shop Support"
        self.assertEqual(self.page.name, "Web Shop Support", "the page's title follows")
        self.assertEqual(self.page.url, "/helpdesk/web-support", "links keep working")

        self.page.name = "Contact the shop"
        self.team.name = "Shop Support"
        self.assertEqual(
            self.page.name, "Contact the shop", "a page renamed by a designer keeps it"
        )

    def test_migration_passes_the_query_to_older_pages(self):
        path = file_path(
            "helpdesk_intake_website/migrations/19.0.1.1.0/post-migrate.py"
        )
        spec = importlib.util.spec_from_file_location("post_migrate", path)
        script = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(script)
        view = self.page.view_id
        view.arch_db = view.arch_db.replace(script.NEW_CALL, script.OLD_CALL)
        self.assertNotIn(script.NEW_CALL, view.arch_db)
        view.flush_recordset()
        script.migrate(self.env.cr, "19.0.1.0.0")
        view.invalidate_recordset()
        self.assertIn(script.NEW_CALL, view.arch_db)
        self.assertNotIn(script.OLD_CALL, view.arch_db)

    def test_go_to_website(self):
        action = self.team.open_website_url()
        self.assertEqual(action["tag"], "website_preview")
        self.assertEqual(action["params"]["path"], "/helpdesk/web-support")
        self.assertEqual(action["params"]["website_id"], self.website.id)

        self.website.domain = "https://help.example.com"
        self.assertEqual(
            self.team.open_website_url(),
            self.page.open_website_url(),
            "on the website's own domain, as website pages",
        )

    def test_delete_team_deletes_page(self):
        view = self.page.view_id
        self.team.unlink()
        self.assertFalse(self.page.exists())
        self.assertFalse(view.exists())
