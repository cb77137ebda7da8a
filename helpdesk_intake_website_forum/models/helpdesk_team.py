from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain

from ..tools import help_search_words

# Query parameter of the ticket form page: the forum question the visitor
# comes from, whose title becomes the ticket's subject.
QUESTION_PARAMETER = "forum_question"
# Path of the team's help page, after the address of its form page.
HELP_PATH = "/help"
SUGGEST_PATH = "/suggest"
# Suggestions of the help page's search box and of the ticket form's subject:
# at most this many, for searches of at least that many characters (shorter
# ones match too much to help), cut to the longest length that still helps.
SUGGEST_LIMIT = 10
SUGGEST_MIN_CHARS = 3
SUGGEST_MAX_CHARS = 100
# Deflection figures of the team form cover this many days.
DEFLECTION_DAYS = 30


class HelpdeskTeam(models.Model):
    _name = "helpdesk.team"
    _inherit = "helpdesk.team"

    use_website_forum = fields.Boolean(
        string="Forum",
        help="Publish a forum where visitors look for answers, with a Contact us "
        "button that opens the team's ticket form.",
    )
    website_forum_id = fields.Many2one(
        "forum.forum",
        string="Team Forum",
        domain="[('website_id', 'in', [False, website_id])]",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        help="Forum of the team's Help Center. Left empty, a forum named after "
        "the team is created on the team's website.",
    )
    website_forum_published = fields.Boolean(
        string="Forum Published",
        compute="_compute_help_center_published",
        help="Visitors of the team's website can see the team's forum.",
    )
    help_center_published = fields.Boolean(
        compute="_compute_help_center_published",
        help="Visitors can see the team's forum or its ticket form.",
    )

    help_shown_count = fields.Integer(
        string="Suggestions Shown",
        compute="_compute_help_deflection",
        help="Suggested answers the ticket form showed visitors in the last 30 days.",
    )
    help_clicked_count = fields.Integer(
        string="Suggestions Opened",
        compute="_compute_help_deflection",
        help="Suggested answers visitors opened from the ticket form in the last "
        "30 days.",
    )
    help_submitted_count = fields.Integer(
        string="Sent After Opening",
        compute="_compute_help_deflection",
        help="Visitors who sent a ticket after opening a suggested answer, in "
        "the last 30 days.",
    )
    help_deflected_count = fields.Integer(
        string="Deflected",
        compute="_compute_help_deflection",
        help="Visitors who opened a suggested answer and sent no ticket within "
        "30 minutes, in the last 30 days.",
    )

    _website_forum_unique = models.Constraint(
        "UNIQUE(website_forum_id)",
        lambda env, diagnostics: env._(
            "A forum leads to the ticket form of one team only."
        ),
    )

    @api.depends(
        "is_published",
        "use_website_forum",
        "website_forum_id.active",
        "website_forum_id.privacy",
        "website_forum_id.website_id",
        "website_id",
    )
    def _compute_help_center_published(self):
        for team in self:
            team.website_forum_published = team._website_forum_is_public()
            team.help_center_published = (
                team.website_forum_published or team.is_published
            )

    def _compute_help_deflection(self):
        since = fields.Datetime.now() - timedelta(days=DEFLECTION_DAYS)
        # sudo: helpdesk.help.deflection - the figures of the teams one reads
        figures = (
            self.env["helpdesk.help.deflection"]
            .sudo()
            ._team_figures(self.filtered("id"), since)
        )
        for team in self:
            values = figures.get(team.id, {})
            team.help_shown_count = values.get("shown", 0)
            team.help_clicked_count = values.get("clicked", 0)
            team.help_submitted_count = values.get("submitted", 0)
            team.help_deflected_count = values.get("deflected", 0)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        teams = super().create(vals_list)
        teams._website_forum_ensure()
        return teams

    def write(self, vals):
        res = super().write(vals)
        if vals.get("use_website_forum") or "website_forum_id" in vals:
            self._website_forum_ensure()
        if "website_id" in vals:
            self._website_forum_move()
        return res

    def _team_named_records(self):
        # sudo: forum.forum - only administrators may edit forums; the forum
        # named after the team follows its renaming, a forum renamed on its
        # own keeps its name.
        return super()._team_named_records() + [self.website_forum_id.sudo()]

    # ------------------------------------------------------------
    # FORUM
    # ------------------------------------------------------------

    def _website_forum_ensure(self):
        """Give each team using a forum the one it chose, or a new forum named
        after the team on the team's website."""
        for team in self.filtered(lambda t: t.use_website_forum):
            if team.website_forum_id:
                continue
            # sudo: forum.forum - only administrators may create forums, helpdesk
            # managers set up their team's one here.
            team.website_forum_id = (
                self.env["forum.forum"]
                .sudo()
                .create({"name": team.name, "website_id": team.website_id.id})
            )

    def _website_forum_move(self):
        """Follow the team to its new website with the forum, unless the forum
        is shared by all websites."""
        for team in self.filtered(lambda t: t.website_id):
            # sudo: forum.forum - see _website_forum_ensure
            forum = team.website_forum_id.sudo()
            if forum.website_id and forum.website_id != team.website_id:
                forum.website_id = team.website_id

    def _website_forum_is_public(self):
        """Whether anyone visiting the team's website sees the team's forum: in
        use, active, public, and on that website (or on all websites)."""
        self.ensure_one()
        # sudo: forum.forum - whether the forum is public, whoever asks
        forum = self.website_forum_id.sudo()
        return bool(
            self.use_website_forum
            and forum.active
            and forum.privacy == "public"
            and (not forum.website_id or forum.website_id == self.website_id)
        )

    def _website_url_to_open(self):
        """The team's help page when it has a form page and a help source
        visitors see, else its forum when visitors see it, else the ticket form
        page. A forum hidden from visitors (archived, restricted) is only
        opened when the team has no ticket form page: managers still see it,
        with the reason it is hidden."""
        self.ensure_one()
        help_url = self._website_help_url()
        if help_url:
            return help_url, self.website_page_id.sudo().website_id
        if self._website_forum_is_public() or (
            self.use_website_forum
            and self.website_forum_id
            and not self.website_page_id
        ):
            # sudo: forum.forum - the forum's address, even when restricted
            forum = self.website_forum_id.sudo()
            return forum._compute_website_url(), forum.website_id or self.website_id
        return super()._website_url_to_open()

    # ------------------------------------------------------------
    # WEBSITE FORM
    # ------------------------------------------------------------

    def _prepare_website_form_prefill(self, user, query):
        # Visitors arriving from a question of the team's forum (its Contact us
        # button) find the question's title as the subject of their ticket.
        values = super()._prepare_website_form_prefill(user, query)
        question = self._website_forum_question(query.get(QUESTION_PARAMETER), user)
        if question:
            values["name"] = question.name
        # not an input: where the form's script finds answers to suggest
        suggest_url = self._website_help_suggest_url()
        if suggest_url:
            values["helpdesk_suggest_url"] = suggest_url
        return values

    def _website_forum_question(self, question_id, user):
        """The question ``question_id`` of the team's forum, if ``user`` may see
        it; an empty recordset otherwise."""
        self.ensure_one()
        Post = self.env["forum.post"].with_user(user)
        if not (question_id and str(question_id).isdigit() and self.website_forum_id):
            return Post
        return Post.search(
            [
                ("id", "=", int(question_id)),
                ("forum_id", "=", self.website_forum_id.id),
                ("parent_id", "=", False),
                ("state", "in", ["active", "close"]),
                ("can_view", "=", True),
            ],
            limit=1,
        )

    # ------------------------------------------------------------
    # HELP PAGE
    # ------------------------------------------------------------

    def _website_help_url(self):
        """Address of the team's help page (``<form page>/help``), or False
        when the team has no form page or no help source visitors see."""
        self.ensure_one()
        page = self.website_page_id.sudo()
        if not (page and self.active and self._help_sources()):
            return False
        return page.url.rstrip("/") + HELP_PATH

    def _website_help_suggest_url(self):
        """Address of the suggestions of the team's help sources, or False."""
        self.ensure_one()
        help_url = self._website_help_url()
        return help_url and help_url[: -len(HELP_PATH)] + SUGGEST_PATH

    @api.model
    def _website_help_team(self, website, slug):
        """The team whose form page is ``/helpdesk/<slug>`` on ``website``, if
        its help page is open to visitors."""
        # sudo: helpdesk.team - visitors read which team a help page is about
        team = self.sudo().search(
            [
                ("website_page_id.url", "=", f"/helpdesk/{slug}"),
                ("website_page_id.website_id", "=", website.id),
            ],
            limit=1,
        )
        return team if team and team._website_help_url() else self.browse()

    def _help_sources(self):
        """The team's help sources that every visitor sees, as {key: label},
        in the order the help page offers them. Bridges add theirs."""
        self.ensure_one()
        sources = {}
        if self._website_forum_is_public():
            sources["forum"] = self.env._("Forum")
        return sources

    def _help_search(
        self, user, term, sources=None, date_from=None, offset=0, limit=10
    ):
        """One page of the help sources' content matching ``term`` for
        ``user`` (their access rights and record rules apply), newest first:
        (results, total count). A result is a dict with ``name``, ``url``,
        ``summary``, ``date``, ``source`` and ``source_label``."""
        self.ensure_one()
        available = self._help_sources()
        results, total = [], 0
        for key in sources or available:
            if key not in available:
                continue
            found, count = getattr(self, f"_help_search_{key}")(
                user, help_search_words(term), date_from, offset + limit
            )
            total += count
            results += [
                dict(result, source=key, source_label=available[key])
                for result in found
            ]
        results.sort(key=lambda result: result["date"], reverse=True)
        return results[offset : offset + limit], total

    def _help_search_forum(self, user, words, date_from, limit):
        """The questions of the team's forum, and their accepted answers,
        holding every word of ``words`` (all of them without words)."""
        Post = self.env["forum.post"].with_user(user)
        question = Domain("parent_id", "=", False)
        answer = Domain("parent_id", "!=", False) & Domain("is_correct", "=", True)
        for word in words:
            question &= Domain("name", "ilike", word) | Domain("content", "ilike", word)
            answer &= Domain("content", "ilike", word)
        domain = (
            Domain("forum_id", "=", self.website_forum_id.id)
            & Domain("state", "=", "active")
            & Domain("can_view", "=", True)
            & (question | answer)
        )
        if date_from:
            domain &= Domain("create_date", ">=", date_from)
        posts = Post.search(domain, limit=limit, order="create_date desc, id desc")
        count = Post.search_count(domain) if len(posts) == limit else len(posts)
        return [
            {
                "name": (post.parent_id or post).name,
                "url": post.website_url,
                "summary": post.plain_content or "",
                "date": post.create_date,
                "is_answer": bool(post.parent_id),
            }
            for post in posts
        ], count

    # ------------------------------------------------------------
    # SUGGESTIONS
    # ------------------------------------------------------------

    def _help_suggest(self, user, term, limit=SUGGEST_LIMIT):
        """Titles and addresses of the help sources' content whose title holds
        the words of ``term``, for ``user``: [{"name", "url"}], at most
        ``limit``, those holding all the words first, then those holding some
        (a ticket's subject is a sentence, rarely a title). Each source answers
        with at most two queries bounded by ``limit``, whatever its size."""
        self.ensure_one()
        term = " ".join((term or "").split())[:SUGGEST_MAX_CHARS]
        if len(term) < SUGGEST_MIN_CHARS:
            return []
        words = [
            word for word in help_search_words(term) if len(word) >= SUGGEST_MIN_CHARS
        ] or [term]
        suggestions = []
        for key in self._help_sources():
            suggestions += getattr(self, f"_help_suggest_{key}")(user, words, limit)
        return suggestions[:limit]

    @api.model
    def _help_title_domains(self, words, field="name"):
        """(all words, any word) domains on the title ``field``."""
        conditions = [Domain(field, "ilike", word) for word in words]
        return Domain.AND(conditions), Domain.OR(conditions)

    def _help_suggest_forum(self, user, words, limit):
        # Visitors see a question whose author has karma (forum.post
        # can_view): the same rule as a condition on the authors, which the
        # title's trigram index serves, where can_view scans every post. As
        # in can_view, the authors' karma is read whoever asks ("any!"): the
        # visitor may not read the authors, and the visitor's input is only
        # the title searched.
        Post = self.env["forum.post"].with_user(user)
        visible = (
            Domain("forum_id", "=", self.website_forum_id.id)
            & Domain("parent_id", "=", False)
            & Domain("state", "=", "active")
            & Domain("create_uid", "any!", Domain("karma", ">", 0))
        )
        order = "relevancy desc, id desc"
        every, some = self._help_title_domains(words)
        posts = Post.search(visible & every, limit=limit, order=order)
        if len(posts) < limit and len(words) > 1:
            posts |= Post.search(
                visible & some & Domain("id", "not in", posts.ids),
                limit=limit - len(posts),
                order=order,
            )
        return [{"name": post.name, "url": post.website_url} for post in posts]
