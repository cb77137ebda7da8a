import re

from lxml import etree, html
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import is_html_empty
from odoo.tools.mail import email_re

# What may separate the digits of a phone number as people write it.
PHONE_SEPARATORS = r"[ \u00a0().\-/]*"
# Digits of a phone number that identify it whatever its prefix (+32 470 ...,
# 0032 470 ..., 0470 ...): its last ones.
PHONE_KEY_DIGITS = 8
PHONE_MIN_DIGITS = 6
# Shorter words of a name (particles such as "De" or "La") are left in the
# text: they are ordinary words too.
NAME_PART_MIN_LENGTH = 3
# Attributes of the description whose text a visitor can read.
TEXT_ATTRIBUTES = ("title", "alt", "href")


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _inherit = "helpdesk.ticket"

    forum_post_id = fields.Many2one(
        "forum.post",
        string="Forum Question",
        domain="[('forum_id', '=', team_website_forum_id), ('parent_id', '=', False)]",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        tracking=True,
        help="Question of the team's forum that answers this ticket.",
    )
    team_website_forum_id = fields.Many2one(
        "forum.forum",
        string="Team Forum",
        compute="_compute_team_website_forum_id",
    )

    @api.depends("team_id.use_website_forum", "team_id.website_forum_id")
    def _compute_team_website_forum_id(self):
        for ticket in self:
            team = ticket.team_id
            ticket.team_website_forum_id = (
                team.website_forum_id if team.use_website_forum else False
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_share_on_forum(self):
        """Open the question the ticket becomes on the team's forum, for the
        agent to review before it is published."""
        self.ensure_one()
        if not self.team_website_forum_id:
            raise UserError(
                self.env._("The team of this ticket has no forum to share it on.")
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Share on Forum"),
            "res_model": "helpdesk.ticket.forum.share",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_ticket_id": self.id},
        }

    def action_open_forum_post(self):
        self.ensure_one()
        return self.forum_post_id.go_to_website()

    # ------------------------------------------------------------
    # FORUM QUESTION
    # ------------------------------------------------------------

    def _forum_question_values(self):
        """Title and content of a forum question asking what the ticket asks,
        without the customer's personal data."""
        self.ensure_one()
        return {
            "name": self._forum_strip_customer_text(self.name or ""),
            "content": self._forum_strip_customer_html(self.description),
        }

    def _forum_customer_patterns(self):
        """(pattern, replacement) pairs that take the customer's name, email
        and phone out of a text, in the order to apply them."""
        self.ensure_one()
        customer = self.partner_id
        # Any email address: a public question needs none, the customer's or
        # others'.
        patterns = [(email_re, self.env._("[email]"))]

        phone_placeholder = self.env._("[phone]")
        for phone in {self.partner_phone, customer.phone} - {False, None, ""}:
            digits = re.sub(r"\D", "", phone)
            if len(digits) < PHONE_MIN_DIGITS:
                continue
            key = PHONE_SEPARATORS.join(digits[-PHONE_KEY_DIGITS:])
            # Whatever prefix precedes the last digits (country code, trunk 0)
            prefix = r"(?:\+|00)?(?:\d" + PHONE_SEPARATORS + r"){0,6}"
            pattern = re.compile(r"(?<![\w+])" + prefix + key + r"(?!\d)")
            patterns.append((pattern, phone_placeholder))

        name_placeholder = self.env._("[name]")
        # A customer known by their address only has it as name: the email
        # pattern takes it out, and its words are no name.
        names = {
            name
            for name in (self.partner_name, customer.name)
            if name and not email_re.search(name)
        }
        # The full name whatever its case, then each of its words (a first name
        # in a signature) as written, not to take ordinary words such as "will"
        # or "may" out of the text.
        for name in sorted(names, key=len, reverse=True):
            words = [re.escape(word) for word in name.split()]
            full = re.compile(
                r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE
            )
            patterns.append((full, name_placeholder))
        parts = {
            word
            for name in names
            for word in re.findall(rf"[^\W\d_]{{{NAME_PART_MIN_LENGTH},}}", name)
        }
        for part in sorted(parts, key=len, reverse=True):
            pattern = re.compile(r"(?<!\w)" + re.escape(part) + r"(?!\w)")
            patterns.append((pattern, name_placeholder))
        return patterns

    def _forum_strip_customer_text(self, text, patterns=None):
        for pattern, replacement in patterns or self._forum_customer_patterns():
            text = pattern.sub(replacement, text)
        return text

    def _forum_strip_customer_html(self, content):
        """``content`` (HTML) without the customer's personal data, quoted
        emails, signatures, images and links."""
        if is_html_empty(content):
            return Markup()
        patterns = self._forum_customer_patterns()
        root = html.fragment_fromstring(str(content), create_parent="div")
        # Quoted emails and signatures (as the mail gateway marks them) are
        # where personal data hides; images are the ticket's private
        # attachments or remote trackers, and links the customer's own: none
        # of them belongs in a public question.
        for node in root.xpath("//*[@data-o-mail-quote] | //img | //comment()"):
            node.drop_tree()
        for link in root.xpath("//a"):
            link.drop_tag()
        for node in root.iter():
            if node.text:
                node.text = self._forum_strip_customer_text(node.text, patterns)
            if node.tail:
                node.tail = self._forum_strip_customer_text(node.tail, patterns)
            node.attrib.pop("style", None)
            for attribute in TEXT_ATTRIBUTES:
                if node.get(attribute):
                    node.set(
                        attribute,
                        self._forum_strip_customer_text(node.get(attribute), patterns),
                    )
        return Markup(etree.tostring(root, encoding="unicode", method="html"))
