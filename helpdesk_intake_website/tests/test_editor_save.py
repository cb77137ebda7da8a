from lxml import html

from odoo.tests import tagged

from .common import HelpdeskWebsiteCommon


@tagged("post_install", "-at_install")
class TestEditorSave(HelpdeskWebsiteCommon):
    def savable_elements(self, url):
        """The elements of the page's content the website editor saves, as
        it finds them in the page it edits (html_builder save_plugin)."""
        page = html.fromstring(self.url_open(url).text)
        return page.xpath(
            "//div[@id='wrap']//*[@data-oe-field][not(@data-for)]"
            " | //div[@id='wrap']//*[hasclass('oe_structure')][@data-oe-xpath]"
        )

    def save(self, element):
        # what the editor's Save sends for one changed element (saveView)
        xpath = (
            None if element.get("data-oe-expression") else element.get("data-oe-xpath")
        )
        self.make_jsonrpc_request(
            "/web/dataset/call_kw/ir.ui.view/save",
            {
                "model": "ir.ui.view",
                "method": "save",
                "args": [
                    int(element.get("data-oe-id")),
                    html.tostring(element, encoding="unicode"),
                    xpath,
                ],
                "kwargs": {"context": {"website_id": self.website.id}},
            },
        )

    def test_saving_the_page_leaves_the_team_alone(self):
        self.authenticate(self.designer.login, self.designer.login)
        self.env.cr.execute(
            "UPDATE helpdesk_team SET write_date = '2000-01-01' WHERE id = %s",
            [self.team.id],
        )
        elements = self.savable_elements(self.team.website_url)
        self.assertTrue(elements)
        self.assertFalse(
            [el for el in elements if el.get("data-oe-model") == "helpdesk.team"],
            "the team's fields are not the page's to save",
        )
        for element in elements:
            if element.get("data-snippet") == "s_website_form":
                label = element.xpath(
                    ".//span[hasclass('s_website_form_label_content')]"
                )[0]
                label.text = "Your Full Name"
            self.save(element)
        self.env.invalidate_all()
        self.assertIn("Your Full Name", self.page.view_id.arch, "the page was saved")
        self.assertEqual(
            str(self.team.write_date), "2000-01-01 00:00:00", "the team was not written"
        )
        page = self.url_open(self.team.website_url).text
        self.assertIn("Web Support", page, "the page still shows the team's name")
        self.team.name = "Web Shop Support"
        self.assertIn("Web Shop Support", self.url_open(self.team.website_url).text)
