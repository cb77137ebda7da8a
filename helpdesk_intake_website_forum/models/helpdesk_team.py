from odoo import api, fields, models

# Query parameter of the ticket form page: the forum question the visitor
# comes from, whose title becomes the ticket's subject.
QUESTION_PARAMETER = "forum_question"


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
        """The team's forum when visitors see it, else the ticket form page. A
        forum hidden from visitors (archived, restricted) is only opened when
        the team has no ticket form page: managers still see it, with the
        reason it is hidden."""
        self.ensure_one()
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
