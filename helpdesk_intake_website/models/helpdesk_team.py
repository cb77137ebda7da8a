import json

from lxml import etree

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools.urls import urljoin

PAGE_TEMPLATE = "helpdesk_intake_website.team_page"
# Characters that the website form script rewrites in the JSON of its
# ``data-values`` element (it turns Python-style quotes and constants into
# JSON): escaped, text such as a customer's name or a forum question's title
# reaches the form unchanged.
DATA_VALUES_ESCAPES = str.maketrans({char: f"\\u{ord(char):04x}" for char in "'[]{},:"})


def form_input_name(name):
    """Name of a form input as the form controller reads it (the editor
    stores double quotes of custom field labels as ``&quot;``)."""
    return (name or "").replace("&quot;", '"')


def data_values_json(values):
    """``values`` as the JSON of a form's ``data-values`` element."""
    items = (
        f"{json.dumps(key)}: "
        + (
            json.dumps(value).translate(DATA_VALUES_ESCAPES)
            if isinstance(value, str)
            else json.dumps(value)
        )
        for key, value in values.items()
    )
    return "{" + ", ".join(items) + "}"


class HelpdeskTeam(models.Model):
    _inherit = "helpdesk.team"

    def _default_website_id(self):
        company = self.env.company
        return self.env["website"].search([("company_id", "=", company.id)], limit=1)

    website_id = fields.Many2one(
        "website",
        default=lambda self: self._default_website_id(),
        domain="[('company_id', '=', company_id)]",
        ondelete="set null",
        help="Website that publishes the ticket form of the team.",
    )
    website_page_id = fields.Many2one(
        "website.page",
        readonly=True,
        copy=False,
        ondelete="set null",
        index="btree_not_null",
        help="Page of the team's ticket form: each team has its own copy of the form.",
    )
    is_published = fields.Boolean(
        related="website_page_id.is_published", string="Published"
    )
    website_url = fields.Char(related="website_page_id.url", string="Website URL")

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        teams = super().create(vals_list)
        teams.filtered("use_website_form")._sync_website_page()
        return teams

    def write(self, vals):
        res = super().write(vals)
        if "website_id" in vals:
            self._move_website_page()
        if "use_website_form" in vals or "active" in vals:
            self._sync_website_page()
        return res

    def unlink(self):
        pages = self.website_page_id.sudo()
        websites = pages.website_id
        res = super().unlink()
        pages.unlink()
        websites._helpdesk_sync_menu()
        return res

    # ------------------------------------------------------------
    # WEBSITE PAGE
    # ------------------------------------------------------------

    def _sync_website_page(self):
        """Publish the team's page while its form is on (creating the page the
        first time), unpublish it otherwise. The page is kept when the form is
        switched off, so that switching it on again brings back the same,
        possibly customized, form."""
        websites = self.website_page_id.sudo().website_id
        for team in self:
            online = team.use_website_form and team.active
            page = team.website_page_id.sudo()
            if online and not page:
                team._create_website_page()
            elif page and page.is_published != online:
                page.is_published = online
        (websites | self.website_page_id.sudo().website_id)._helpdesk_sync_menu()

    def _create_website_page(self):
        self.ensure_one()
        if not self.website_id:
            self.website_id = self.with_company(self.company_id)._default_website_id()
        website = self.website_id
        if not website:
            return
        result = (
            self.env["website"]
            .sudo()
            .with_context(website_id=website.id)
            .new_page(
                name=f"helpdesk/{self.name}",
                template=PAGE_TEMPLATE,
                page_values={"website_id": website.id, "is_published": True},
                page_title=self.name,
            )
        )
        self.website_page_id = result["page_id"]

    def _team_named_records(self):
        # sudo: website.page - the page's title is the team's name, and
        # follows its renaming unless a designer renamed the page.
        return super()._team_named_records() + [self.website_page_id.sudo()]

    def _move_website_page(self):
        websites = self.website_page_id.sudo().website_id
        self._move_website_page_to_team_website()
        (websites | self.website_page_id.sudo().website_id)._helpdesk_sync_menu()

    def _move_website_page_to_team_website(self):
        for team in self.filtered(lambda t: t.website_page_id and t.website_id):
            page = team.website_page_id.sudo()
            if page.website_id == team.website_id:
                continue
            website = team.website_id
            Website = self.env["website"].sudo().with_context(website_id=website.id)
            url = Website.get_unique_path(page.url)
            page.write({"website_id": website.id, "url": url})

    def open_website_url(self):
        """Go to Website: preview the page of ``_website_url_to_open``, on
        its website's own domain when it has one, as website pages do."""
        self.ensure_one()
        url, website = self._website_url_to_open()
        if website.domain:
            client_action_url = self.env["website"].get_client_action_url(url)
            return {
                "type": "ir.actions.act_url",
                "url": urljoin(
                    website.domain, f"{client_action_url}&website_id={website.id}"
                ),
                "target": "self",
            }
        return self.env["website"].get_client_action(url, False, website.id)

    def _website_url_to_open(self):
        """(URL, website) of the page Go to Website opens: the team's ticket
        form page."""
        self.ensure_one()
        page = self.website_page_id.sudo()
        return page.url, page.website_id

    # ------------------------------------------------------------
    # HELP CENTER
    # ------------------------------------------------------------

    @api.model
    def _website_help_center_domain(self, website, include_unpublished=False):
        """Teams the Help Center (``/helpdesk``) of ``website`` lists: those
        whose form is on that website, published ones only unless
        ``include_unpublished`` (for the website's designers)."""
        domain = Domain("use_website_form", "=", True) & Domain(
            "website_page_id.website_id", "=", website.id
        )
        if not include_unpublished:
            domain &= Domain("website_page_id.is_published", "=", True)
        return domain

    # ------------------------------------------------------------
    # WEBSITE FORM
    # ------------------------------------------------------------

    def _website_form_accepts_tickets(self, website):
        """Whether the team's form takes tickets posted on ``website``: the
        form is on, and its page is published on that very website."""
        self.ensure_one()
        page = self.website_page_id.sudo()
        return bool(
            self.active
            and self.use_website_form
            and page.website_id == website
            and page.with_context(website_id=website.id).is_visible
        )

    def _website_form_prefill_values(self, user, query=None):
        """JSON of the values the page's form starts with (``data-values`` of
        the form's ``data-for`` element), for ``user`` visiting the page with
        the query parameters ``query``. The teams' pages are copies of the
        page template that call this method: its name and result stay."""
        self.ensure_one()
        return data_values_json(self._prepare_website_form_prefill(user, query or {}))

    def _prepare_website_form_prefill(self, user, query):
        """Values the page's form starts with, by input name: the team, and
        who the customer is when they are logged in. ``query`` holds the
        query parameters of the page's address."""
        self.ensure_one()
        values = {"team_id": self.id}
        if not user._is_public():
            values.update(partner_name=user.name, partner_email=user.email or "")
        return values

    def _website_form_required_fields(self):
        """Names of the inputs the team's form marks as required, so that the
        server enforces what the website editor set. Fields shown only on a
        condition are left out: the browser does not send them while hidden."""
        self.ensure_one()
        arch = self.website_page_id.sudo().view_id.arch
        if not arch:
            return set()
        tree = etree.fromstring(arch)
        classes = "concat(' ', normalize-space(@class), ' ')"
        field = f"contains({classes}, ' s_website_form_field ')"
        required = tree.xpath(
            "//form[@data-model_name='helpdesk.ticket']"
            f"//*[{field}][not(@data-visibility-dependency)]"
            "//*[@name][@required]"
        )
        return {form_input_name(node.get("name")) for node in required} - {""}
