from odoo.tests import new_test_user

from odoo.addons.helpdesk_intake_website.tests.common import (
    HelpdeskWebsiteCase,
    HelpdeskWebsiteCommon,
)


class HelpdeskForumCase(HelpdeskWebsiteCase):
    """The website addon's team with its published ticket form, and now its
    forum, and a question of the forum asked by a community member."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = new_test_user(
            cls.env,
            login="hdf_member",
            name="Mike Member",
            email="mike.member@example.com",
            groups="base.group_portal",
            karma=200,
        )
        cls.team.write({"use_website_forum": True, "use_acknowledgement": False})
        cls.forum = cls.team.website_forum_id
        cls.question = cls.ask("How do I return a damaged lamp?")

    @classmethod
    def ask(cls, title, forum=None):
        """A question of ``forum`` (the team's), asked by a community member."""
        return (
            cls.env["forum.post"]
            .with_user(cls.member)
            .create(
                {
                    "forum_id": (forum or cls.forum).id,
                    "name": title,
                    "content": "<p>It arrived broken.</p>",
                }
            )
        )


class HelpdeskForumCommon(HelpdeskForumCase, HelpdeskWebsiteCommon):
    """HelpdeskForumCase, with the website addon's tools to post the form the
    way the browser does."""
