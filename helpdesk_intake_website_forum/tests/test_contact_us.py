from urllib.parse import urlsplit

from lxml import html

from odoo.tests import tagged

from .common import HelpdeskForumCommon


@tagged("post_install", "-at_install")
class TestContactUs(HelpdeskForumCommon):
    def contact_links(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return html.fromstring(response.text).xpath(
            "//a[hasclass('o_helpdesk_forum_contact_us')]/@href"
        )

    def forum_pages(self):
        forum_url = self.forum._compute_website_url()
        return {
            "questions": forum_url,
            "question": self.question.website_url,
            "guidelines": f"{forum_url}/faq",
            "tags": f"{forum_url}/tag",
        }

    def test_every_forum_page_leads_to_the_team_form(self):
        form_url = self.team.website_url
        for page, url in self.forum_pages().items():
            with self.subTest(page):
                (link,) = self.contact_links(url)
                self.assertEqual(urlsplit(link).path, form_url)

    def test_question_page_prefills_the_subject(self):
        (link,) = self.contact_links(self.question.website_url)
        self.assertEqual(
            link, f"{self.team.website_url}?forum_question={self.question.id}"
        )

        self.assertEqual(
            self.form_prefill(link),
            {
                "team_id": self.team.id,
                "name": "How do I return a damaged lamp?",
                "helpdesk_suggest_url": f"{self.team.website_url}/suggest",
            },
        )

    def test_prefilled_subject_survives_the_form_script(self):
        title = "Lamp: None of the bulbs work, 'True' or [not] {at all}?"
        question = self.ask(title)
        self.assertEqual(self.prefilled_subject(question.id), title)

    def prefilled_subject(self, question_id):
        url = f"{self.team.website_url}?forum_question={question_id}"
        return self.form_prefill(url).get("name")

    def test_only_questions_the_visitor_sees_prefill(self):
        other_forum = self.env["forum.forum"].create({"name": "Elsewhere"})
        answer = (
            self.env["forum.post"]
            .with_user(self.member)
            .create(
                {
                    "forum_id": self.forum.id,
                    "parent_id": self.question.id,
                    "content": "<p>Send it back with the form.</p>",
                }
            )
        )
        cases = {
            "another forum": self.ask("Asked elsewhere", other_forum).id,
            "an answer": answer.id,
            "not a post": "not-a-number",
        }
        for case, question_id in cases.items():
            with self.subTest(case):
                self.assertFalse(self.prefilled_subject(question_id))

        self.forum.privacy = "connected"
        self.assertFalse(self.prefilled_subject(self.question.id))
        self.authenticate(self.member.login, self.member.login)
        self.assertEqual(self.prefilled_subject(self.question.id), self.question.name)

    # ------------------------------------------------------------
    # FALLBACKS
    # ------------------------------------------------------------

    def close_other_forms(self):
        self.env["helpdesk.team"].search(
            [("id", "!=", self.team.id), ("use_website_form", "=", True)]
        ).use_website_form = False

    def test_unpublished_form_leads_to_the_help_center(self):
        self.env["helpdesk.team"].create(
            {"name": "General Desk", "use_website_form": True}
        )
        self.team.website_page_id.is_published = False
        self.assertEqual(self.contact_links(self.question.website_url), ["/helpdesk"])
        self.assertEqual(self.url_open("/helpdesk").status_code, 200)

    def test_no_form_to_open_no_button(self):
        self.close_other_forms()
        self.team.use_website_form = False
        self.assertEqual(self.contact_links(self.question.website_url), [])

    def test_forum_switched_off_no_button(self):
        self.team.use_website_forum = False
        self.assertEqual(self.contact_links(self.question.website_url), [])

    def test_form_on_another_website(self):
        self.close_other_forms()
        website_2 = self.env["website"].create({"name": "Second Website"})
        self.forum.website_id = False
        self.team.website_id = website_2
        self.assertFalse(self.forum.website_id, "shared by all websites")
        self.assertEqual(
            self.contact_links(self.question.website_url),
            [],
            "the form does not take tickets on this website",
        )

    def test_other_forums_have_no_button(self):
        other_forum = self.env["forum.forum"].create({"name": "Elsewhere"})
        question = self.ask("Unrelated question", other_forum)
        self.assertEqual(self.contact_links(question.website_url), [])
