import {registry} from "@web/core/registry";

const CARD = ".o_kanban_record:contains(Tour printer on fire)";

registry.category("web_tour.tours").add("helpdesk_intake_backend", {
    url: "/odoo/action-helpdesk_intake.helpdesk_team_action_dashboard",
    steps: () => [
        {
            content: "The overview shows the team with its open tickets",
            trigger: ".o_kanban_record:contains(Tour Support) button:contains(Open)",
            run: "click",
        },
        {
            content: "Tickets are grouped by the team's stages",
            trigger: ".o_kanban_group .o_column_title:contains(New)",
        },
        {
            content: "The urgent ticket comes first in its column",
            trigger:
                ".o_kanban_group:first .o_kanban_record:first:contains(Tour printer on fire)",
        },
        {
            content: "Priority stars on the card: lower the urgent ticket to high",
            trigger: `${CARD} .o_priority a.o_priority_star:nth-child(2)`,
            run: "click",
        },
        {
            content: "The card shows two stars now",
            trigger: `${CARD} .o_priority:not(:has(.o_priority_star.fa-star:nth-child(3))) .o_priority_star.fa-star:nth-child(2)`,
        },
        {
            trigger: `${CARD} .o_kanban_record_title, ${CARD} span:contains(Tour printer on fire)`,
            run: "click",
        },
        {
            content: "The form has the Description tab with the email body",
            trigger: ".o_form_view .o_notebook .nav-link:contains(Description)",
        },
        {
            trigger: ".o_form_view .o_field_html:contains(smoke comes out)",
        },
        {
            content: "The chatter holds the original email",
            trigger: ".o-mail-Chatter .o-mail-Message:contains(Pat)",
        },
        {
            content: "Configuration menu",
            trigger: ".o_menu_sections button:contains(Configuration)",
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu .dropdown-item:contains(Teams)",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Tour Support) td[name=name]",
            run: "click",
        },
        {
            content: "The team form has the Channels section",
            trigger: ".o_form_view h2:contains(Channels)",
        },
        {
            content: "...and the Help Center section",
            trigger: ".o_form_view h2:contains(Help Center)",
        },
        {
            trigger:
                ".o_form_view #helpdesk_team_setting_alias .o_field_widget[name=alias_email]:contains(tour-support@)",
        },
    ],
});
