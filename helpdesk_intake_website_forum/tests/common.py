from odoo.tests import HttpCase, new_test_user


class HelpdeskForumCommon(HttpCase):
    """A website, a team with its published ticket form and its forum, an
    agent, and a question of the forum asked by a community member."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website = cls.env.ref("website.default_website")
        cls.agent = new_test_user(
            cls.env,
            login="hdf_agent",
            name="Wanda Agent",
            email="wanda.agent@example.com",
            groups="helpdesk_intake.group_helpdesk_user",
        )
        cls.member = new_test_user(
            cls.env,
            login="hdf_member",
            name="Mike Member",
            email="mike.member@example.com",
            groups="base.group_portal",
            karma=200,
        )
        cls.team = cls.env["helpdesk.team"].create(
            {
                "name": "Lamp Support",
                "member_ids": [(6, 0, cls.agent.ids)],
                "website_id": cls.website.id,
                "use_website_form": True,
                "use_website_forum": True,
                "use_acknowledgement": False,
            }
        )
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

    def setUp(self):
        super().setUp()
        self.authenticate(None, None)
