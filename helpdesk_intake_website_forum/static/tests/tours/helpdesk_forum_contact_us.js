import {registry} from "@web/core/registry";

const FORM = "form#helpdesk_ticket_form";
// Quotes, commas and colons: what the form's prefill must carry unchanged.
const QUESTION = "Lamp: None of the bulbs work, what's wrong?";

registry.category("web_tour.tours").add("helpdesk_forum_contact_us", {
    steps: () => [
        {
            content: "Contact us from the bottom of the question",
            trigger: ".o_helpdesk_forum_contact a.o_helpdesk_forum_contact_us",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The form is prefilled",
            trigger: `${FORM} input[name=team_id]:not(:visible):not([value=''])`,
        },
        {
            content: "The question's title is the subject of the ticket",
            trigger: `${FORM} input[name=name]`,
            run() {
                if (this.anchor.value !== QUESTION) {
                    throw new Error(`Unexpected subject: ${this.anchor.value}`);
                }
            },
        },
        {
            trigger: `${FORM} input[name=partner_name]`,
            run: "edit Fiona Forum",
        },
        {
            trigger: `${FORM} input[name=partner_email]`,
            run: "edit fiona.forum@example.com",
        },
        {
            trigger: `${FORM} textarea[name=description]`,
            run: "edit My lamp arrived broken and the answers did not help.",
        },
        {
            trigger: `${FORM} .s_website_form_send`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The confirmation shows the ticket reference",
            trigger: ".o_helpdesk_ticket_ref:contains(#)",
        },
    ],
});
