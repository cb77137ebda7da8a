from odoo.tests import new_test_user, tagged

from .common import HelpdeskForumCommon


@tagged("post_install", "-at_install")
class TestSuggest(HelpdeskForumCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.suggest_url = f"{cls.team.website_url}/suggest"

    def suggest(self, term, url=None):
        response = self.url_open(url or self.suggest_url, params={"q": term})
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertEqual(response.headers["Content-Type"], "application/json")
        return response.json()["results"]

    def test_published_content_of_the_team_only(self):
        pending = self.ask("Return a lamp bought in a shop")
        pending.state = "pending"
        newbie = new_test_user(
            self.env, login="hdf_newbie", groups="base.group_portal", karma=3
        )
        self.env["forum.post"].with_user(newbie).create(
            {"forum_id": self.forum.id, "name": "Return lamp without box"}
        )
        newbie.karma = 0
        other = self.env["helpdesk.team"].create(
            {"name": "Garden", "use_website_forum": True, "use_website_form": True}
        )
        self.ask("Return garden lamp", forum=other.website_forum_id)
        self.ask("Can I return a lamp I opened?").sudo().active = False
        self.assertEqual(
            self.suggest("return"),
            [{"name": self.question.name, "url": self.question.website_url}],
        )

    def test_short_and_long_terms(self):
        self.assertEqual(self.suggest("re"), [], "at least 3 characters")
        self.assertEqual(len(self.suggest("dam")), 1)
        self.assertEqual(
            self.suggest("  damaged   lamp "), self.suggest("damaged lamp")
        )
        self.assertEqual(self.suggest("lamp" * 500), [])

    def test_a_sentence_suggests_titles_with_all_words_first(self):
        both = self.ask("Damaged lamp shade")
        self.assertEqual(
            [result["url"] for result in self.suggest("My lamp arrived damaged")],
            [both.website_url, self.question.website_url],
        )
        self.assertEqual(self.suggest("My sofa arrived"), [])

    def test_restricted_forum_answers_nothing(self):
        for privacy in ("connected", "private"):
            with self.subTest(privacy):
                self.forum.privacy = privacy
                response = self.url_open(self.suggest_url, params={"q": "lamp"})
                self.assertEqual(response.status_code, 404)

    def test_top_ten_with_bounded_cost_at_ten_thousand_posts(self):
        for number in range(12):
            self.ask(f"Lamp {number} does not light")
        self.env.flush_all()
        team = self.team.sudo()
        visitor = self.env.ref("base.public_user")

        def measure():
            self.env.invalidate_all()
            count = self.env.cr.sql_log_count
            results = team._help_suggest(visitor, "does not light")
            return results, self.env.cr.sql_log_count - count

        small, small_queries = measure()
        self.assertEqual(len(small), 10)
        self.assertEqual(len(self.suggest("does not light")), 10)
        # 10,000 more posts of the team's forum, some of them matching
        self.env.cr.execute(
            """
            INSERT INTO forum_post (forum_id, name, content, state, active,
                                    create_uid, write_uid, create_date, write_date,
                                    last_activity_date, relevancy)
            SELECT %(forum)s, 'Bulb ' || n || CASE WHEN n %% 1000 = 0
                       THEN ' does not light' ELSE ' flickers' END,
                   '<p>x</p>', 'active', true, %(uid)s, %(uid)s, now(), now(),
                   now(), 0
              FROM generate_series(1, 10000) n
            """,
            {"forum": self.forum.id, "uid": self.member.id},
        )
        large, large_queries = measure()
        self.assertEqual(len(large), 10)
        self.assertLessEqual(large_queries, small_queries, "independent of the size")
        self.assertTrue(all("does not light" in r["name"] for r in large))
        self.assertEqual(len(self.suggest("bulb 500")), 10)
