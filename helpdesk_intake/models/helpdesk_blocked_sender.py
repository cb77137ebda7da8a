from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import email_normalize, ormcache

from ..tools import normalize_domain, sender_domains


class HelpdeskBlockedSender(models.Model):
    """An address or a domain whose emails the helpdesk keeps in Spam, for
    one team or for all the teams of a company.

    A domain blocks the addresses of that domain and of its subdomains
    (``example.com`` blocks ``mail.example.com``, which spammers rotate
    through), never a domain that merely ends the same way
    (``notexample.com``)."""

    _name = "helpdesk.blocked.sender"
    _description = "Helpdesk Blocked Sender"
    _order = "create_date desc, id desc"
    _rec_name = "sender"
    _rec_names_search = ["email", "domain"]
    _check_company_auto = True

    sender_type = fields.Selection(
        [("email", "Address"), ("domain", "Domain")],
        string="Block",
        default="email",
        required=True,
    )
    email = fields.Char(
        string="Email Address", help="Emails from this exact address are blocked."
    )
    domain = fields.Char(
        help="Emails from addresses of this domain and of its subdomains are blocked."
    )
    sender = fields.Char(compute="_compute_sender")
    team_id = fields.Many2one(
        "helpdesk.team",
        ondelete="cascade",
        check_company=True,
        help="Leave empty to block the sender for all the teams of the company.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    active = fields.Boolean(default=True)
    reason = fields.Char()

    # One entry per sender and scope; also the lookup of every incoming email.
    _sender_uniq = models.UniqueIndex(
        "(company_id, COALESCE(email, ''), COALESCE(domain, ''),"
        " COALESCE(team_id, 0)) WHERE active IS TRUE",
        "This sender is already blocked for these teams.",
    )

    @api.depends("sender_type", "email", "domain")
    def _compute_sender(self):
        for blocked in self:
            blocked.sender = (
                blocked.email if blocked.sender_type == "email" else blocked.domain
            )

    @api.depends("team_id")
    def _compute_company_id(self):
        for blocked in self:
            blocked.company_id = (
                blocked.team_id.company_id or blocked.company_id or self.env.company
            )

    @api.model_create_multi
    def create(self, vals_list):
        blocked = super().create([self._normalize_vals(vals) for vals in vals_list])
        self.env.registry.clear_cache()
        return blocked

    def write(self, vals):
        res = super().write(self._normalize_vals(vals))
        self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    @api.model
    def _normalize_vals(self, vals):
        """``vals`` with the address or domain written the way incoming emails
        are compared to them, and the field of the other kind emptied."""
        vals = dict(vals)
        if vals.get("sender_type") == "email":
            vals["domain"] = False
        elif vals.get("sender_type") == "domain":
            vals["email"] = False
        if vals.get("email"):
            vals["email"] = email_normalize(vals["email"]) or vals["email"].strip()
        if vals.get("domain"):
            vals["domain"] = normalize_domain(vals["domain"]) or vals["domain"].strip()
        return vals

    @api.constrains("sender_type", "email", "domain")
    def _check_sender(self):
        for blocked in self:
            if blocked.sender_type == "email" and not (
                blocked.email and email_normalize(blocked.email) == blocked.email
            ):
                raise ValidationError(
                    self.env._(
                        "“%(email)s” is not a valid email address.",
                        email=blocked.email or "",
                    )
                )
            if blocked.sender_type == "domain" and not (
                blocked.domain and normalize_domain(blocked.domain) == blocked.domain
            ):
                raise ValidationError(
                    self.env._(
                        "“%(domain)s” is not a valid domain name, such as example.com.",
                        domain=blocked.domain or "",
                    )
                )
            blocked._check_not_own_sender()

    def _check_not_own_sender(self):
        """Refuse blocking the helpdesk's own domains or an employee: their
        emails would be lost with the spam."""
        self.ensure_one()
        own_domains = set(
            self.env["mail.alias.domain"].sudo().search([], limit=None).mapped("name")
        )
        if self.domain and normalize_domain(self.domain) in {
            normalize_domain(domain) for domain in own_domains
        }:
            raise ValidationError(
                self.env._(
                    "%(domain)s is a domain of the helpdesk's own addresses: it "
                    "cannot be blocked.",
                    domain=self.domain,
                )
            )
        if self.email and self.env["res.users"].sudo().search_count(
            [("share", "=", False), ("email_normalized", "=", self.email)], limit=1
        ):
            raise ValidationError(
                self.env._(
                    "%(email)s is the address of a user of the database: it "
                    "cannot be blocked.",
                    email=self.email,
                )
            )

    @api.model
    def _blocking(self, email, team):
        """The active entry that blocks the normalized address ``email`` for
        ``team``, if any."""
        domains = sender_domains(email)
        if (
            not email
            or not team
            or team.company_id.id not in self._blocking_companies()
        ):
            return self.browse()
        sender = Domain("email", "=", email)
        if domains:
            sender |= Domain("domain", "in", domains)
        return self.search(
            Domain("company_id", "=", team.company_id.id)
            & (Domain("team_id", "=", False) | Domain("team_id", "=", team.id))
            & sender,
            limit=1,
        )

    @api.model
    @ormcache()
    def _blocking_companies(self):
        """Ids of the companies that block senders: most block none, and the
        gateway then asks nothing for each email (create, write and unlink
        clear this cache)."""
        groups = (
            self.sudo().with_context(active_test=True)._read_group([], ["company_id"])
        )
        return frozenset(company.id for [company] in groups)
