from datetime import datetime, timedelta

from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import HelpdeskIntakeCommon

# Words written by agents in internal notes only: a portal user must not be
# able to tell whether they are there.
SECRET = "zanzibarquokka"
SECRET_SUBJECT = "marmaladeaxolotl"
TEAM_SECRET = "obsidianpangolin"
PARTNER_SECRET = "tangerinenarwhal"
# Written nowhere.
ABSENT = "plutoniumwombat"

ACCESS_ERROR = "odoo.exceptions.AccessError"


def oracle_domains(note_id):
    """(label, domain that would match thanks to a hidden word or record,
    same domain without it): paths through fields the ORM searches without
    access rules."""

    def pair(label, build, hidden, absent=ABSENT):
        return label, build(hidden), build(absent)

    return [
        pair("message_ids.body", lambda w: [("message_ids.body", "ilike", w)], SECRET),
        pair(
            "message_ids any",
            lambda w: [("message_ids", "any", [("body", "ilike", w)])],
            SECRET,
        ),
        pair(
            "message_ids not any",
            lambda w: [("message_ids", "not any", [("body", "ilike", w)])],
            SECRET,
        ),
        pair(
            "message_ids.body negated",
            lambda w: ["!", ("message_ids.body", "ilike", w)],
            SECRET,
        ),
        pair(
            "message_ids.body or-ed with a normal field",
            lambda w: ["|", ("name", "=", ABSENT), ("message_ids.body", "=like", w)],
            f"%{SECRET}%",
        ),
        pair(
            "message_ids.body and-ed with a normal field",
            lambda w: [("name", "ilike", "Jane"), ("message_ids.body", "ilike", w)],
            SECRET,
        ),
        pair(
            "message_ids.body in upper case",
            lambda w: [("message_ids.body", "ilike", w)],
            SECRET.upper(),
        ),
        pair(
            "website_message_ids.body",
            lambda w: [("website_message_ids.body", "ilike", w)],
            SECRET,
        ),
        pair(
            "website_message_ids any",
            lambda w: [("website_message_ids", "any", [("body", "ilike", w)])],
            SECRET,
        ),
        pair(
            "message_ids.subject",
            lambda w: [("message_ids.subject", "ilike", w)],
            SECRET_SUBJECT,
        ),
        pair(
            "message_ids by id",
            lambda w: [("message_ids", "in", [w])],
            note_id,
            note_id + 1000000,
        ),
        pair(
            "team_id.message_ids.body",
            lambda w: [("team_id.message_ids.body", "ilike", w)],
            TEAM_SECRET,
        ),
        pair(
            "team_id any message_ids",
            lambda w: [
                ("team_id", "any", [("message_ids", "any", [("body", "ilike", w)])])
            ],
            TEAM_SECRET,
        ),
        pair(
            "partner_id.message_ids.body",
            lambda w: [("partner_id.message_ids.body", "ilike", w)],
            PARTNER_SECRET,
        ),
    ]


def any_bang_domains():
    """The same with the operators that search without access rules
    (``any!``, ``not any!``): Odoo refuses them in the domains it receives
    (ValueError); the helpdesk answers an AccessError, like for the paths
    above."""

    def pair(label, build, hidden, absent=ABSENT):
        return label, build(hidden), build(absent)

    return [
        pair(
            "partner_id any!",
            lambda w: [("partner_id", "any!", [("message_ids.body", "ilike", w)])],
            PARTNER_SECRET,
        ),
        pair(
            "partner_id not any!",
            lambda w: [("partner_id", "not any!", [("message_ids.body", "ilike", w)])],
            PARTNER_SECRET,
        ),
        pair(
            "message_ids any!",
            lambda w: [("message_ids", "any!", [("body", "ilike", w)])],
            SECRET,
        ),
        pair(
            "team_id any!",
            lambda w: [("team_id", "any!", [("message_ids.body", "ilike", w)])],
            TEAM_SECRET,
        ),
        pair(
            "any! nested in any",
            lambda w: [
                ("partner_id", "any", [("message_ids", "any!", [("body", "ilike", w)])])
            ],
            PARTNER_SECRET,
        ),
        pair(
            "any! or-ed with a normal field",
            lambda w: [
                "|",
                ("name", "=", ABSENT),
                ("message_ids", "any!", [("body", "ilike", w)]),
            ],
            SECRET,
        ),
    ]


def rpc_calls(domain):
    """(method, args, kwargs) of the read methods the web client calls."""
    return [
        ("search_read", [], {"domain": domain, "fields": ["name"]}),
        ("search_count", [domain], {}),
        ("search", [domain], {}),
        ("web_search_read", [], {"domain": domain, "specification": {"name": {}}}),
        (
            "formatted_read_group",
            [],
            {"domain": domain, "groupby": ["priority"], "aggregates": ["__count"]},
        ),
        (
            "web_read_group",
            [],
            {"domain": domain, "groupby": ["priority"], "aggregates": ["__count"]},
        ),
        ("name_search", [], {"name": "", "domain": domain}),
    ]


@tagged("post_install", "-at_install", "helpdesk_intake", "portal", "security")
class TestPortalSearchOracle(HttpCase, HelpdeskIntakeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Ticket = cls.env["helpdesk.ticket"].with_context(mail_notrack=True)
        cls.ticket_jane = Ticket.create(
            {
                "name": "Jane cannot export",
                "team_id": cls.team.id,
                "partner_id": cls.partner_portal.id,
            }
        )
        # what Jane may see: a public reply
        cls.ticket_jane.with_user(cls.user_hd_agent).message_post(
            body="We are looking into it.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        # what she may not: internal notes of the agents, on her ticket, on
        # the team and on her own contact
        cls.note = cls.ticket_jane.with_user(cls.user_hd_agent).message_post(
            body=f"Customer is on the {SECRET} watch list, do not refund.",
            subject=f"Escalation {SECRET_SUBJECT}",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        cls.team.message_post(
            body=f"Team note: {TEAM_SECRET} migration this weekend.",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        cls.partner_portal.message_post(
            body=f"Credit hold: {PARTNER_SECRET}.",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )

    def call_kw(self, method, args=(), kwargs=None):
        """Outcome of an RPC call on tickets as the web client makes it:
        ("result", value) or ("error", exception name)."""
        try:
            result = self.make_jsonrpc_request(
                f"/web/dataset/call_kw/helpdesk.ticket/{method}",
                {
                    "model": "helpdesk.ticket",
                    "method": method,
                    "args": list(args),
                    "kwargs": kwargs or {},
                },
            )
        except JsonRpcException as error:
            return ("error", str(error))
        return ("result", result)

    def call_json2(self, key, method, **kwargs):
        """Outcome of a call through the external JSON-2 API with an API key:
        ("result", value) or ("error", exception name)."""
        response = self.url_open(
            f"/json/2/helpdesk.ticket/{method}",
            json=kwargs,
            headers={"Authorization": f"Bearer {key}"},
        )
        body = response.json()
        if response.status_code != 200:
            return ("error", body.get("name"))
        return ("result", body)

    def assert_no_oracle(self, call, domains=None, error=ACCESS_ERROR):
        """``call(domain)`` answers ``error`` for every domain through the
        messages, identical with and without the hidden word."""
        if domains is None:
            domains = oracle_domains(self.note.id)
        for label, hidden, absent in domains:
            with self.subTest(domain=label):
                with_hidden, without = call(hidden), call(absent)
                self.assertEqual(
                    with_hidden,
                    without,
                    f"{label}: the answer tells whether the hidden word is there",
                )
                self.assertEqual(with_hidden, ("error", error), label)

    def test_internal_user_sees_the_note_through_search(self):
        """Precondition of the oracle tests, and what stays allowed: agents
        search the messages of the tickets."""
        self.authenticate(self.user_hd_agent.login, self.user_hd_agent.login)
        for method, args, kwargs in rpc_calls([("message_ids.body", "ilike", SECRET)]):
            with self.subTest(method=method):
                outcome, value = self.call_kw(method, args, kwargs)
                self.assertEqual(outcome, "result", value)
        _outcome, found = self.call_kw(
            "search", [[("message_ids.body", "ilike", SECRET)]]
        )
        self.assertEqual(found, self.ticket_jane.ids)
        _outcome, found = self.call_kw(
            "search", [[("message_ids.body", "ilike", ABSENT)]]
        )
        self.assertEqual(found, [])
        for domain, expected in [
            ([("message_ids.subject", "ilike", SECRET_SUBJECT)], self.ticket_jane.ids),
            ([("website_message_ids.body", "ilike", SECRET)], self.ticket_jane.ids),
            (
                [("message_ids", "any", [("body", "ilike", SECRET)])],
                self.ticket_jane.ids,
            ),
            ([("team_id.message_ids.body", "ilike", TEAM_SECRET)], None),
        ]:
            with self.subTest(domain=domain):
                outcome, found = self.call_kw("search", [domain])
                self.assertEqual(outcome, "result", found)
                if expected is not None:
                    self.assertEqual(found, expected)
                else:
                    self.assertIn(self.ticket_jane.id, found)
        # the same in Python, for an agent
        Ticket = self.env["helpdesk.ticket"].with_user(self.user_hd_agent)
        self.assertEqual(
            Ticket.search([("message_ids.body", "ilike", SECRET)]), self.ticket_jane
        )
        self.assertFalse(Ticket.search([("message_ids.body", "ilike", ABSENT)]))

    def test_portal_user_reads_own_ticket(self):
        """Precondition: Jane reads her ticket but not the internal note."""
        ticket = self.ticket_jane.with_user(self.user_portal)
        self.assertEqual(ticket.read(["name"])[0]["name"], "Jane cannot export")
        self.authenticate(self.user_portal.login, self.user_portal.login)
        response = self.url_open(f"/my/tickets/{self.ticket_jane.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.ticket_jane.name, response.text)
        self.assertNotIn(SECRET, response.text)

    @mute_logger("odoo.http", "odoo.models", "odoo.addons.base.models.ir_rule")
    def test_portal_search_read_through_messages(self):
        self.authenticate(self.user_portal.login, self.user_portal.login)
        self.assert_no_oracle(
            lambda domain: self.call_kw(
                "search_read", [], {"domain": domain, "fields": ["name"]}
            )
        )

    @mute_logger("odoo.http", "odoo.models", "odoo.addons.base.models.ir_rule")
    def test_portal_search_count_through_messages(self):
        self.authenticate(self.user_portal.login, self.user_portal.login)
        self.assert_no_oracle(lambda domain: self.call_kw("search_count", [domain]))

    @mute_logger("odoo.http", "odoo.models", "odoo.addons.base.models.ir_rule")
    def test_portal_other_read_methods_through_messages(self):
        """search, web_search_read, the read_group family and name_search
        take a domain too."""
        self.authenticate(self.user_portal.login, self.user_portal.login)
        for index, (method, *_) in enumerate(rpc_calls([])):
            if method in ("search_read", "search_count"):
                continue
            with self.subTest(method=method):
                self.assert_no_oracle(
                    lambda domain, index=index: self.call_kw(*rpc_calls(domain)[index])
                )

    @mute_logger("odoo.http", "odoo.models", "odoo.addons.base.models.ir_rule")
    def test_portal_json2_through_messages(self):
        """The external JSON-2 API with the portal user's API key."""
        key = (
            self.env["res.users.apikeys"]
            .with_user(self.user_portal)
            ._generate(
                scope="rpc",
                name="jane script",
                expiration_date=datetime.now() + timedelta(days=1),
            )
        )
        outcome = self.call_json2(
            key, "search_read", domain=[("name", "ilike", "Jane")], fields=["name"]
        )
        self.assertEqual(
            outcome,
            ("result", [{"id": self.ticket_jane.id, "name": "Jane cannot export"}]),
            "precondition: the API key works",
        )
        self.assert_no_oracle(
            lambda domain: self.call_json2(
                key, "search_read", domain=domain, fields=["name"]
            )
        )
        self.assert_no_oracle(
            lambda domain: self.call_json2(key, "search_count", domain=domain)
        )

    @mute_logger("odoo.http", "odoo.models", "odoo.addons.base.models.ir_rule")
    def test_portal_any_bang_operators(self):
        """Odoo itself refuses the operators that skip access rules in domains
        coming from outside (ValueError): whatever the hidden word."""
        self.authenticate(self.user_portal.login, self.user_portal.login)
        for method in ("search_read", "search_count", "web_search_read"):
            index = [call[0] for call in rpc_calls([])].index(method)
            with self.subTest(method=method):
                self.assert_no_oracle(
                    lambda domain, index=index: self.call_kw(*rpc_calls(domain)[index]),
                    any_bang_domains(),
                    error="builtins.ValueError",
                )

    @mute_logger("odoo.http", "odoo.models", "odoo.addons.base.models.ir_rule")
    def test_other_portal_user_through_messages(self):
        """A portal user who cannot read the ticket is refused the same way:
        a refusal that depended on what the search would find would be an
        oracle of its own."""
        self.authenticate(self.user_portal_other.login, self.user_portal_other.login)
        self.assert_no_oracle(lambda domain: self.call_kw("search_count", [domain]))

    def test_portal_search_normal_fields(self):
        """Searching on the ticket's own fields still works for Jane."""
        self.authenticate(self.user_portal.login, self.user_portal.login)
        ticket = self.ticket_jane
        for domain in (
            [],
            [("name", "ilike", "export")],
            [("stage_id", "=", ticket.stage_id.id)],
            [("stage_id", "in", ticket.stage_id.ids)],
            [("ref", "=", ticket.ref)],
            [("ref", "ilike", ticket.ref)],
            ["|", ("name", "ilike", "export"), ("ref", "=", ticket.ref)],
            [("partner_id", "=", self.partner_portal.id)],
            [("priority", "=", "0"), ("is_closed", "=", False)],
        ):
            with self.subTest(domain=domain):
                outcome, records = self.call_kw(
                    "search_read", [], {"domain": domain, "fields": ["name", "ref"]}
                )
                self.assertEqual(outcome, "result", records)
                self.assertEqual(
                    records,
                    [{"id": ticket.id, "name": ticket.name, "ref": ticket.ref}],
                )
                self.assertEqual(self.call_kw("search_count", [domain]), ("result", 1))
        outcome, records = self.call_kw(
            "search_read", [], {"domain": [("name", "ilike", ABSENT)]}
        )
        self.assertEqual((outcome, records), ("result", []))
        outcome, answer = self.call_kw(
            "web_search_read",
            [],
            {"domain": [("ref", "=", ticket.ref)], "specification": {"name": {}}},
        )
        self.assertEqual(outcome, "result", answer)
        self.assertEqual(answer["records"], [{"id": ticket.id, "name": ticket.name}])
        outcome, groups = self.call_kw(
            "formatted_read_group",
            [],
            {
                "domain": [("name", "ilike", "export")],
                "groupby": ["priority"],
                "aggregates": ["__count"],
            },
        )
        self.assertEqual(outcome, "result", groups)
        self.assertEqual([group["__count"] for group in groups], [1])
        # and the portal pages, which search too
        response = self.url_open("/my/tickets")
        self.assertEqual(response.status_code, 200)
        self.assertIn(ticket.name, response.text)
