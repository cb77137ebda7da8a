from markupsafe import Markup

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import HelpdeskForumCommon

DESCRIPTION = Markup(
    "<p>Hello,</p>"
    "<p>my lamp flickers since the update. Call me on 0470 11 22 33 or write"
    ' to <a href="mailto:carla@customer.example.com">carla@customer.example.com'
    "</a>, or to my colleague bob@customer.example.com.</p>"
    '<p><img src="/web/image/42" alt="Carla Customer\'s lamp"></p>'
    "<p>It will not stop: CARLA CUSTOMER needs light!</p>"
    "<p>Carla</p>"
    '<blockquote data-o-mail-quote="1">On Monday, Carla Customer wrote...</blockquote>'
)


@tagged("post_install", "-at_install")
class TestShareOnForum(HelpdeskForumCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Carla Customer",
                "email": "carla@customer.example.com",
                "phone": "+32 470 11 22 33",
            }
        )
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Carla's lamp flickers",
                "description": DESCRIPTION,
                "team_id": cls.team.id,
                "partner_id": cls.customer.id,
            }
        )

    def share_form(self, ticket=None):
        """The wizard the agent's Share on Forum button opens on ``ticket``."""
        action = (ticket or self.ticket).with_user(self.agent).action_share_on_forum()
        Wizard = self.env[action["res_model"]].with_user(self.agent)
        return Form(Wizard.with_context(**action["context"]))

    def share(self, ticket=None):
        """Share ``ticket`` as the agent, as is; return the wizard and the
        action it ends with."""
        wizard = self.share_form(ticket).save()
        return wizard, wizard.action_share()

    def test_question_leaves_the_customer_out(self):
        values = self.ticket._forum_question_values()
        self.assertEqual(values["name"], "[name]'s lamp flickers")
        content = values["content"]
        for personal in (
            "carla@customer.example.com",
            "bob@customer.example.com",
            "0470 11 22 33",
            "Carla",
            "CARLA",
            "Customer",
            "mailto:",
            "<img",
            "wrote",
        ):
            self.assertNotIn(personal, content)
        for kept in (
            "my lamp flickers since the update. Call me on [phone] or write to"
            " [email], or to my colleague [email].",
            "It will not stop: [name] needs light!",
            "<p>[name]</p>",
        ):
            self.assertIn(kept, content)

    def test_phone_as_written_in_any_format(self):
        for written in (
            "+32 470 11 22 33",
            "+32 (0)470 11.22.33",
            "0032-470-112233",
            "0470/11 22 33",
        ):
            with self.subTest(written):
                self.ticket.description = Markup(f"<p>Call {written} today</p>")
                self.assertIn(
                    "<p>Call [phone] today</p>",
                    self.ticket._forum_question_values()["content"],
                )
        self.ticket.description = Markup("<p>Order 1122334455 of 2024-01-15</p>")
        self.assertIn(
            "Order 1122334455 of 2024-01-15",
            self.ticket._forum_question_values()["content"],
            "other numbers stay",
        )

    def test_customer_given_on_the_ticket_only(self):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Flickering lamp",
                "description": "<p>Regards, Dora Doe (+1 555 010 9999)</p>",
                "team_id": self.team.id,
                "partner_name": "Dora Doe",
                "partner_email": "dora@example.com",
                "partner_phone": "+1 555 010 9999",
            }
        )
        self.assertIn(
            "<p>Regards, [name] ([phone])</p>",
            ticket._forum_question_values()["content"],
        )

    def test_customer_known_by_address_only(self):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Example needed",
                "description": "<p>An example, please: dora@example.com</p>",
                "team_id": self.team.id,
                "partner_name": "dora@example.com",
            }
        )
        self.assertIn(
            "<p>An example, please: [email]</p>",
            ticket._forum_question_values()["content"],
        )

    def test_agent_shares_a_ticket(self):
        self.assertEqual(self.agent.karma, 0, "no karma needed")
        wizard, action = self.share()
        self.assertEqual(wizard.forum_id, self.forum)
        self.assertEqual(wizard.name, "[name]'s lamp flickers")

        post = self.ticket.forum_post_id
        self.assertTrue(post)
        self.assertEqual(post.helpdesk_ticket_ids, self.ticket)
        self.assertEqual(post.forum_id, self.forum)
        self.assertEqual(post.name, "[name]'s lamp flickers")
        self.assertEqual(post.create_uid, self.agent)
        self.assertEqual(post.state, "active", "published, no moderation")
        self.assertNotIn("carla", post.content.lower())
        self.assertEqual(action["params"]["path"], post.website_url)

        response = self.url_open(post.website_url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("lamp flickers since the update", response.text)
        self.assertNotIn("carla", response.text.lower())

    def test_agent_edits_the_question_before_sharing(self):
        with self.share_form() as wizard_form:
            wizard_form.name = "Lamp flickers after an update"
        wizard_form.record.action_share()
        self.assertEqual(
            self.ticket.forum_post_id.name, "Lamp flickers after an update"
        )

    def test_team_without_forum(self):
        team = self.env["helpdesk.team"].create({"name": "No Forum"})
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "Question", "team_id": team.id}
        )
        self.assertFalse(ticket.team_website_forum_id)
        with self.assertRaises(UserError):
            ticket.with_user(self.agent).action_share_on_forum()
