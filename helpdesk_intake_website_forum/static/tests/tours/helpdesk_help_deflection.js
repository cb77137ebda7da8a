import {registry} from "@web/core/registry";

const FORM = "form#helpdesk_ticket_form";
const SEARCH = "form.o_helpdesk_help_search";

registry.category("web_tour.tours").add("helpdesk_help_deflection", {
    steps: () => [
        {
            content: "Search the help page",
            trigger: `${SEARCH} input.o_helpdesk_help_query`,
            run: "edit dam",
        },
        {
            content: "Suggestions show after 3 characters",
            trigger: `${SEARCH} .o_helpdesk_help_suggestion:contains(damaged lamp)`,
        },
        {
            content: "Choose one with the keyboard",
            trigger: `${SEARCH} input.o_helpdesk_help_query`,
            run: "press ArrowDown",
        },
        {
            trigger: `${SEARCH} .o_helpdesk_help_suggestion.active:contains(damaged lamp)`,
        },
        {
            content: "Search for all answers instead",
            trigger: `${SEARCH} input.o_helpdesk_help_query`,
            run: "press Escape",
        },
        {
            trigger: `${SEARCH} button[type=submit]`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The results list the question",
            trigger: ".o_helpdesk_help_result:contains(damaged lamp)",
        },
        {
            content: "Did not find it: contact the team",
            trigger: "a.o_helpdesk_help_contact_us",
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: `${FORM} input[name=partner_name]`,
            run: "edit Dora Deflected",
        },
        {
            trigger: `${FORM} input[name=partner_email]`,
            run: "edit dora@example.com",
        },
        {
            content: "Type the subject",
            trigger: `${FORM} input[name=name]`,
            run: "edit My lamp arrived damaged",
        },
        {
            content: "An answer is suggested while typing",
            trigger: `${FORM} .o_helpdesk_form_suggestions a.o_helpdesk_form_suggestion[target=_blank]:contains(damaged lamp)`,
            run: "click",
        },
        {
            trigger: `${FORM} .o_helpdesk_form_suggestion_opened`,
        },
        {
            trigger: `${FORM} textarea[name=description]`,
            run: "edit The answer did not help: the lamp is broken.",
        },
        {
            trigger: `${FORM} .s_website_form_send`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: ".o_helpdesk_ticket_ref:contains(#)",
        },
    ],
});
