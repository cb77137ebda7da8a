import {registry} from "@web/core/registry";

const CARD = ".o_kanban_record:contains(Tour printer on fire)";
const VISIBILITY =
    ".o_form_view #helpdesk_team_setting_visibility .o_field_widget[name=privacy_visibility]";

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
            content: "The ticket shows the other tickets of its customer",
            trigger:
                ".o_form_view button[name=action_view_partner_tickets]:contains(2)",
            run: "click",
        },
        {
            trigger: ".o_kanban_record:contains(Tour earlier request)",
        },
        {
            trigger:
                ".o_kanban_view:not(:has(.o_kanban_record:contains(Tour printer on fire)))",
        },
        {
            content: "Back to the ticket",
            trigger: ".o_breadcrumb .o_back_button",
            run: "click",
        },
        {
            trigger:
                ".o_form_view .o_field_widget[name=name] input:value(Tour printer on fire)",
        },
        {
            content: "Back to the kanban",
            trigger: ".o_breadcrumb .o_back_button",
            run: "click",
        },
        {
            content: "Quick create a phone request in the first column",
            trigger: ".o_kanban_group:first .o_kanban_quick_add",
            run: "click",
        },
        {
            trigger: ".o_kanban_quick_create .o_field_widget[name=name] input",
            run: "edit Tour phone call",
        },
        {
            trigger: ".o_kanban_quick_create .o_field_widget[name=partner_id] input",
            run: "edit Pat",
        },
        {
            trigger: ".o-autocomplete--dropdown-menu .dropdown-item:contains(Pat)",
            run: "click",
        },
        {
            trigger: ".o_kanban_quick_create .o_field_widget[name=user_id] input",
            run: "edit Administrator",
        },
        {
            trigger:
                ".o-autocomplete--dropdown-menu .dropdown-item:contains(Administrator)",
            run: "click",
        },
        {
            trigger: ".o_kanban_quick_create .o_kanban_add",
            run: "click",
        },
        {
            content: "The new card shows its reference",
            trigger: ".o_kanban_record:contains(Tour phone call) span:contains(#)",
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
        {
            content: "Restrict the team's tickets to invited internal users",
            trigger: `${VISIBILITY} input[data-value=invited_internal]`,
            run: "click",
        },
        {
            trigger: `${VISIBILITY} input[data-value=invited_internal]:checked`,
        },
        {
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The team is saved",
            trigger:
                ".o_form_view .o_form_status_indicator_buttons.invisible:not(:visible)",
        },
        {
            content: "Back to the teams, then reopen the team",
            trigger: ".o_breadcrumb .o_back_button",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Tour Support) td[name=name]",
            run: "click",
        },
        {
            content: "The visibility chosen stuck",
            trigger: `${VISIBILITY} input[data-value=invited_internal]:checked`,
        },
        {
            trigger: `${VISIBILITY} input[data-value=internal]:not(:checked)`,
        },
    ],
});

registry.category("web_tour.tours").add("helpdesk_intake_customer_history", {
    steps: () => [
        {
            content: "The contact shows its open and total tickets",
            trigger: ".o_form_view button[name=action_view_tickets]:contains(Tickets)",
        },
        {
            trigger: ".o_form_view button[name=action_view_tickets]:contains(3 / 4)",
            run: "click",
        },
        {
            content: "Its open tickets, the phone request included",
            trigger: ".o_kanban_record:contains(Tour printer on fire)",
        },
        {
            trigger: ".o_kanban_record:contains(Tour phone call)",
        },
        {
            trigger: ".o_breadcrumb .o_back_button",
            run: "click",
        },
        {
            content: "The SLA policies made for the contact",
            trigger: ".o_form_view button[name=action_view_sla_policies]:contains(1)",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Tour Pat policy)",
        },
    ],
});
