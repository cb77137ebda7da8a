from odoo.tests import tagged

from .common import HelpdeskWebsiteCommon


@tagged("post_install", "-at_install")
class TestHelpMenu(HelpdeskWebsiteCommon):
    def help_menus(self, website=None):
        return self.env["website.menu"].search(
            [
                ("url", "=", "/helpdesk"),
                ("website_id", "=", (website or self.website).id),
            ]
        )

    def test_menu_follows_the_published_forms_of_each_website(self):
        menu = self.help_menus()
        self.assertEqual(len(menu), 1)
        self.assertEqual(menu, self.website.helpdesk_menu_id)
        self.assertEqual(menu.parent_id, self.website.menu_id)
        self.assertIn('href="/helpdesk"', self.url_open("/").text)

        other = self.env["helpdesk.team"].create(
            {"name": "Returns", "use_website_form": True}
        )
        self.assertEqual(self.help_menus(), menu, "one entry per website")
        self.team.use_website_form = False
        self.assertEqual(self.help_menus(), menu, "another form is still on")
        other.use_website_form = False
        self.assertFalse(self.help_menus(), "removed with the last form")
        self.assertNotIn('href="/helpdesk"', self.url_open("/").text)

        self.team.use_website_form = True
        self.assertEqual(len(self.help_menus()), 1, "back with the form")

    def test_menu_moves_with_the_form_to_another_website(self):
        website_2 = self.env["website"].create({"name": "Second Website"})
        self.assertFalse(self.help_menus(website_2))
        self.team.website_id = website_2
        self.assertFalse(self.help_menus())
        self.assertEqual(len(self.help_menus(website_2)), 1)
        self.team.unlink()
        self.assertFalse(self.help_menus(website_2))
