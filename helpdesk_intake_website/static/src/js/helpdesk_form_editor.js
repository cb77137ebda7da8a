import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";

// Fields of a form switched to "Create a Helpdesk Ticket" in the website
// editor. Teams' pages come with this form already; their team is set by the
// page itself (data-for), so that the form cannot be moved to another team.
registry.category("website.form_editor_actions").add("create_helpdesk_ticket", {
    formFields: [
        {
            type: "char",
            required: true,
            fillWith: "name",
            name: "partner_name",
            string: _t("Your Name"),
        },
        {
            type: "email",
            required: true,
            fillWith: "email",
            name: "partner_email",
            string: _t("Your Email"),
        },
        {
            type: "tel",
            fillWith: "phone",
            name: "partner_phone",
            string: _t("Phone Number"),
        },
        {
            type: "char",
            name: "partner_company_name",
            string: _t("Company Name"),
        },
        {
            type: "char",
            modelRequired: true,
            name: "name",
            string: _t("Subject"),
        },
        {
            type: "text",
            required: true,
            name: "description",
            string: _t("Description"),
        },
        {
            type: "binary",
            custom: true,
            name: _t("Attachments"),
        },
    ],
    successPage: "/helpdesk/ticket/submitted",
});
