from lxml import html

from odoo.tests import tagged

from odoo.addons.helpdesk_intake_website_forum.tests.common import (
    HelpdeskForumCommon,
)


@tagged("post_install", "-at_install")
class TestHelpCourses(HelpdeskForumCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Course = cls.env["slide.channel"]
        cls.course = Course.create(
            {"name": "Lamp care", "is_published": True, "visibility": "public"}
        )
        cls.lesson = cls.env["slide.slide"].create(
            {
                "name": "Changing a lamp bulb",
                "channel_id": cls.course.id,
                "slide_category": "article",
                "is_published": True,
                "is_preview": True,
            }
        )
        cls.draft = cls.env["slide.slide"].create(
            {
                "name": "Lamp recycling (draft)",
                "channel_id": cls.course.id,
                "slide_category": "article",
                "is_published": False,
            }
        )
        # visitors who did not join the course see its preview lessons only
        cls.attendees_only = cls.env["slide.slide"].create(
            {
                "name": "Lamp wiring (attendees)",
                "channel_id": cls.course.id,
                "slide_category": "article",
                "is_published": True,
            }
        )
        cls.signed_in_only = Course.create(
            {"name": "Lamp repair", "is_published": True, "visibility": "connected"}
        )
        cls.team.website_slide_channel_ids = cls.course | cls.signed_in_only

    def links(self, **params):
        response = self.url_open(f"{self.team.website_url}/help", params=params)
        self.assertEqual(response.status_code, 200)
        return html.fromstring(response.text).xpath(
            "//a[hasclass('o_helpdesk_help_result')]/@href"
        )

    def test_help_page_finds_public_courses_and_lessons(self):
        self.assertEqual(
            set(self.links(search="lamp", source="courses")),
            {self.course.website_url, self.lesson.website_url},
        )
        self.assertEqual(
            set(self.links(search="lamp")),
            {
                self.course.website_url,
                self.lesson.website_url,
                self.question.website_url,
            },
        )
        self.assertEqual(
            self.links(search="lamp", source="forum"), [self.question.website_url]
        )

    def test_suggestions_include_lessons(self):
        response = self.url_open(
            f"{self.team.website_url}/suggest", params={"q": "bulb"}
        )
        self.assertEqual(
            response.json()["results"],
            [{"name": self.lesson.name, "url": self.lesson.website_url}],
        )

    def test_courses_alone_open_a_help_page(self):
        self.team.use_website_forum = False
        self.assertEqual(self.links(search="bulb"), [self.lesson.website_url])
        self.course.is_published = False
        response = self.url_open(f"{self.team.website_url}/help")
        self.assertEqual(response.status_code, 404)
