from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common import HelpdeskForumCommon


@tagged("post_install", "-at_install")
class TestDeflection(HelpdeskForumCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.event_url = f"{cls.team.website_url}/suggestion_event"

    def event(self, event, count=1):
        return self.make_jsonrpc_request(
            self.event_url, {"event": event, "count": count}
        )

    def rows(self):
        return self.env["helpdesk.help.deflection"].search(
            [("team_id", "=", self.team.id)]
        )

    def figures(self):
        self.team.invalidate_recordset()
        return (
            self.team.help_shown_count,
            self.team.help_clicked_count,
            self.team.help_submitted_count,
            self.team.help_deflected_count,
        )

    def test_form_prefill_tells_where_suggestions_come_from(self):
        self.assertEqual(
            self.form_prefill(self.team.website_url)["helpdesk_suggest_url"],
            f"{self.team.website_url}/suggest",
        )

    def test_one_session_shown_opened_then_sent(self):
        self.assertFalse(self.event("click"), "nothing shown, nothing opened")
        self.assertTrue(self.event("shown", 3))
        self.assertTrue(self.event("click"))
        row = self.rows()
        self.assertEqual((row.shown_count, row.clicked_count), (3, 1))
        self.assertEqual(self.figures(), (3, 1, 0, 0))

        self.post_form()
        self.assertTrue(row.ticket_date)
        self.assertEqual(self.figures(), (3, 1, 1, 0), "sent: not deflected")

    def test_deflected_after_thirty_minutes_without_ticket(self):
        self.event("shown", 2)
        self.event("click")
        self.assertEqual(self.figures()[3], 0, "too early to tell")
        later = fields.Datetime.now() + timedelta(minutes=31)
        with freeze_time(later):
            self.assertEqual(self.figures(), (2, 1, 0, 1))
        with freeze_time(later):
            self.post_form()
        with freeze_time(later + timedelta(minutes=1)):
            self.assertEqual(
                self.figures(),
                (2, 1, 1, 1),
                "a later ticket asks another thing",
            )

    def test_a_visitor_cannot_inflate_the_counters(self):
        self.event("shown", 10**6)
        for _attempt in range(30):
            self.event("shown", 5)
            self.event("click")
        row = self.rows()
        self.assertEqual(row.shown_count, 100)
        self.assertEqual(row.clicked_count, 10)
        self.assertFalse(self.event("shown", "many"))
        self.assertFalse(self.event("spam"))

        self.env["ir.config_parameter"].set_param(
            "helpdesk_intake_website_forum.deflection_limit", 3
        )
        for _session in range(5):
            self.authenticate(None, None)
            self.event("shown", 1)
        self.assertEqual(len(self.rows()), 3, "new sessions per network are limited")

    def test_no_counting_for_a_team_without_help_page(self):
        self.forum.privacy = "private"
        response = self.url_open(
            self.event_url,
            json={"jsonrpc": "2.0", "method": "call", "params": {"event": "shown"}},
        )
        self.assertEqual(
            response.json()["error"]["data"]["name"], "werkzeug.exceptions.NotFound"
        )
        self.assertFalse(self.rows())
