from odoo import Command, api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._helpdesk_create_default_team()
        return companies

    def _helpdesk_create_default_team(self):
        """Give each of these companies that has no helpdesk team yet its
        "Customer Care" team, with its alias and the default stages, so that
        it takes tickets by email and from the website without any setup.
        Called for every company when the addon is installed (never on its
        updates) and for each new company."""
        # sudo: helpdesk.team - whoever creates a company, the helpdesk of
        # the company works from the start.
        Team = self.env["helpdesk.team"].sudo().with_context(active_test=False)
        staffed = Team._read_group([("company_id", "in", self.ids)], ["company_id"])
        managers = self.env.ref("helpdesk_intake.group_helpdesk_manager").all_user_ids
        for company in self - self.browse([company.id for (company,) in staffed]):
            members = managers.filtered(
                lambda user, company=company: (
                    user.active and not user.share and company in user.company_ids
                )
            )
            Team.with_company(company).create(
                {
                    "name": self.env._("Customer Care"),
                    "company_id": company.id,
                    "member_ids": [Command.set(members.ids)],
                    # the customers of the team that takes every request
                    # follow their tickets in the portal
                    "privacy_visibility": "portal",
                }
            )
