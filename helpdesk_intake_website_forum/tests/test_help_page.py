from datetime import timedelta

from lxml import html

from odoo import fields
from odoo.tests import new_test_user, tagged

from .common import HelpdeskForumCommon


@tagged("post_install", "-at_install")
class TestHelpPage(HelpdeskForumCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.help_url = f"{cls.team.website_url}/help"
        cls.lamp_answer = cls.env["forum.post"].create(
            {
                "forum_id": cls.forum.id,
                "parent_id": cls.question.id,
                "content": "<p>Send it back with the return label.</p>",
                "is_correct": True,
            }
        )

    def help_page(self, url=None, **params):
        response = self.url_open(url or self.help_url, params=params)
        self.assertEqual(response.status_code, 200, response.text[:500])
        return html.fromstring(response.text)

    def result_links(self, **params):
        page = self.help_page(**params)
        return page.xpath("//a[hasclass('o_helpdesk_help_result')]/@href")

    def test_page_searches_questions_and_accepted_answers(self):
        other_team = self.env["helpdesk.team"].create(
            {"name": "Garden", "use_website_forum": True, "use_website_form": True}
        )
        self.ask("Which lamp for the garden?", forum=other_team.website_forum_id)
        refused = self.ask("Return of a lamp bought in a shop")
        refused.state = "pending"
        unaccepted = self.env["forum.post"].create(
            {
                "forum_id": self.forum.id,
                "parent_id": self.question.id,
                "content": "<p>Maybe a label for the return?</p>",
            }
        )
        page = self.help_page()
        self.assertEqual(
            page.xpath("//h1/text()"), ["How can we help you?"], "the greeting"
        )
        self.assertEqual(
            set(self.result_links(search="lamp")),
            {self.question.website_url},
            "the team's published questions only",
        )
        self.assertEqual(
            self.result_links(search="label"),
            [self.lamp_answer.website_url],
            "accepted answers, not the others",
        )
        self.assertNotIn(unaccepted.website_url, self.result_links(search="maybe"))
        self.assertEqual(
            self.result_links(search="return label"), [self.lamp_answer.website_url]
        )

    def test_page_filters_by_date_and_pages_results(self):
        questions = self.env["forum.post"]
        for number in range(12):
            questions |= self.ask(f"Bulb question {number}")
        old = questions[:3]
        self.env.cr.execute(
            "UPDATE forum_post SET create_date = %s WHERE id = ANY(%s)",
            [fields.Datetime.now() - timedelta(days=90), old.ids],
        )
        self.env.invalidate_all()
        first = self.result_links(search="bulb")
        second = self.result_links(search="bulb", page=2)
        self.assertEqual(len(first), 10)
        self.assertEqual(len(second), 2)
        self.assertEqual(
            set(first + second), set(questions.mapped("website_url")), "all, once"
        )
        self.assertEqual(
            set(self.result_links(search="bulb", date="month")),
            set((questions - old).mapped("website_url")),
        )
        self.assertEqual(
            len(self.result_links(search="bulb", date="year", source="forum")), 10
        )
        self.assertEqual(
            self.result_links(search="bulb", source="nowhere", page="x")[:1],
            first[:1],
            "unknown filters are ignored",
        )

    def test_contact_us_leads_to_the_form(self):
        page = self.help_page()
        self.assertEqual(
            page.xpath("//a[hasclass('o_helpdesk_help_contact_us')]/@href"),
            [self.team.website_url],
        )
        self.page.is_published = False
        self.assertFalse(
            self.help_page().xpath("//a[hasclass('o_helpdesk_help_contact_us')]"),
            "no button to a form that takes no tickets",
        )

    def test_page_needs_a_public_help_source(self):
        self.assertEqual(self.url_open("/helpdesk/nowhere/help").status_code, 404)
        self.forum.privacy = "connected"
        self.assertEqual(self.url_open(self.help_url).status_code, 404)
        self.assertEqual(
            self.team.open_website_url()["params"]["path"],
            self.team.website_url,
            "Go to Website opens the form without a help source",
        )
        self.forum.privacy = "public"
        self.assertEqual(self.team.open_website_url()["params"]["path"], self.help_url)

    def test_questions_hidden_from_visitors_stay_out(self):
        author = new_test_user(
            self.env, login="hdf_newbie", groups="base.group_portal", karma=200
        )
        question = (
            self.env["forum.post"]
            .with_user(author)
            .create({"forum_id": self.forum.id, "name": "My lamp flickers"})
        )
        self.assertEqual(self.result_links(search="flickers"), [question.website_url])
        author.karma = 0  # as forum moderators do to spammers
        self.assertFalse(self.result_links(search="flickers"))
        self.authenticate(self.portal_user.login, self.portal_user.login)
        self.assertFalse(self.result_links(search="flickers"))
