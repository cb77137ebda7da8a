from psycopg2 import IntegrityError

from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import HelpdeskForumCase


@tagged("post_install", "-at_install")
class TestTeamForum(HelpdeskForumCase):
    def test_toggle_creates_the_team_forum(self):
        manager = new_test_user(
            self.env,
            login="hdf_manager",
            groups="helpdesk_intake.group_helpdesk_manager",
        )
        team = self.env["helpdesk.team"].with_user(manager).create({"name": "Returns"})
        self.assertFalse(team.website_forum_id)

        team.use_website_forum = True
        forum = team.website_forum_id
        self.assertEqual(forum.name, "Returns")
        self.assertEqual(forum.website_id, self.website)
        self.assertEqual(forum.privacy, "public")
        self.assertTrue(team.website_forum_published)

        team.name = "Returns and Refunds"
        self.assertEqual(forum.name, "Returns and Refunds", "the forum follows")

        team.use_website_forum = False
        self.assertEqual(team.website_forum_id, forum, "kept for later")
        self.assertFalse(team.website_forum_published)
        team.use_website_forum = True
        self.assertEqual(team.website_forum_id, forum, "the same forum comes back")

    def test_toggle_links_the_chosen_forum(self):
        forum = self.env["forum.forum"].create({"name": "Lighting Community"})
        team = self.env["helpdesk.team"].create(
            {
                "name": "Lighting",
                "use_website_forum": True,
                "website_forum_id": forum.id,
            }
        )
        self.assertEqual(team.website_forum_id, forum)
        self.assertEqual(forum.name, "Lighting Community", "a chosen forum is kept")
        self.assertEqual(forum.helpdesk_team_ids, team)

    def test_one_team_per_forum(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env["helpdesk.team"].create(
                {"name": "Copycat", "website_forum_id": self.forum.id}
            )

    def test_forum_follows_the_team_to_its_website(self):
        website_2 = self.env["website"].create({"name": "Second Website"})
        self.team.website_id = website_2
        self.assertEqual(self.forum.website_id, website_2)

        shared = self.env["forum.forum"].create({"name": "Everywhere"})
        self.team.website_forum_id = shared
        self.team.website_id = self.website
        self.assertFalse(shared.website_id, "a forum of all websites stays so")

    # ------------------------------------------------------------
    # GO TO WEBSITE
    # ------------------------------------------------------------

    def go_to_website(self, team=None):
        action = (team or self.team).open_website_url()
        self.assertEqual(action["tag"], "website_preview")
        self.assertEqual(action["params"]["website_id"], self.website.id)
        return action["params"]["path"]

    def test_go_to_website_opens_the_help_page_first(self):
        self.assertEqual(self.go_to_website(), f"{self.team.website_url}/help")
        self.assertTrue(self.team.help_center_published)

    def test_go_to_website_falls_back_to_the_form(self):
        form_url = self.team.website_url
        hidden_forums = [
            ("restricted", self.forum, "privacy", "connected", "public"),
            ("archived", self.forum, "active", False, True),
            ("switched off", self.team, "use_website_forum", False, True),
        ]
        for case, record, field, hidden, shown in hidden_forums:
            with self.subTest(case):
                record[field] = hidden
                self.assertFalse(self.team.website_forum_published)
                self.assertEqual(self.go_to_website(), form_url)
                self.assertTrue(self.team.help_center_published)
                record[field] = shown
                self.assertEqual(self.go_to_website(), f"{form_url}/help")

    def test_go_to_website_without_form(self):
        team = self.env["helpdesk.team"].create(
            {"name": "Forum Only", "use_website_forum": True}
        )
        self.assertFalse(team.website_page_id)
        self.assertEqual(
            self.go_to_website(team), team.website_forum_id._compute_website_url()
        )
        team.website_forum_id.privacy = "private"
        self.assertFalse(team.help_center_published)
        self.assertEqual(
            self.go_to_website(team),
            team.website_forum_id._compute_website_url(),
            "the only page of the team, that its managers can open",
        )
