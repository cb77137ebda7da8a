import {registry} from "@web/core/registry";
import {clickOnSave, registerWebsitePreviewTour} from "@website/js/tours/tour_utils";

const FORM = "form#helpdesk_ticket_form";

function fillTheForm() {
    return [
        {
            content: "The page prefilled the team of the form",
            trigger: `${FORM} input[name=team_id]:not(:visible):not([value=''])`,
        },
        {
            trigger: `${FORM} input[name=partner_name]`,
            run: "edit Tina Tourist",
        },
        {
            trigger: `${FORM} input[name=partner_email]`,
            run: "edit tina.tourist@example.com",
        },
        {
            trigger: `${FORM} input[name=partner_phone]`,
            run: "edit +32 470 00 00 00",
        },
        {
            trigger: `${FORM} input[name=name]`,
            run: "edit My order never arrived",
        },
        {
            trigger: `${FORM} textarea[name=description]`,
            run: "edit I ordered a lamp two weeks ago.",
        },
        {
            content: "Attach a file",
            trigger: `${FORM} input[type=file][name=Attachments]`,
            run() {
                const transfer = new DataTransfer();
                transfer.items.add(
                    new File(["order #42"], "receipt.txt", {type: "text/plain"})
                );
                this.anchor.files = transfer.files;
                this.anchor.dispatchEvent(new Event("change", {bubbles: true}));
            },
        },
        {
            trigger: `${FORM} .o_file_block:contains(receipt.txt)`,
        },
    ];
}

registry.category("web_tour.tours").add("helpdesk_website_form_visitor", {
    url: "/helpdesk/tour-support",
    steps: () => [
        ...fillTheForm(),
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

registry.category("web_tour.tours").add("helpdesk_website_form_server_error", {
    url: "/helpdesk/tour-support",
    steps: () => [
        ...fillTheForm(),
        {
            trigger: `${FORM} .s_website_form_send`,
            run: "click",
        },
        {
            content: "The server's message shows next to the file field",
            trigger:
                `${FORM} .s_website_form_field:has(input[name=Attachments])` +
                " .s_website_form_custom_error:contains(receipt.txt)",
        },
        {
            trigger: `${FORM} #s_website_form_result:contains(not been sent)`,
        },
    ],
});

registerWebsitePreviewTour(
    "helpdesk_website_form_editor",
    {
        url: "/helpdesk/tour-support",
        edition: true,
    },
    () => [
        {
            content: "Select the phone field",
            trigger: `:iframe ${FORM} .s_website_form_field:has(input[name=partner_phone])`,
            run: "click",
        },
        {
            content: "Open the field types",
            trigger:
                ".o_customize_tab [data-container-title=Field] button:contains('Customer Phone')",
            run: "click",
        },
        {
            content:
                "Ticket fields safe for visitors are offered, staff fields are not",
            trigger:
                ".o_popover:has([data-action-id='existingField'][data-action-value='partner_phone'])" +
                ":not(:has([data-action-id='existingField'][data-action-value='user_id']))" +
                ":not(:has([data-action-id='existingField'][data-action-value='priority']))",
        },
        {
            content: "Keep the phone field",
            trigger:
                ".o_popover [data-action-id='existingField'][data-action-value='partner_phone']",
            run: "click",
        },
        {
            content: "Add a field",
            trigger: "[data-container-title=Form] button:contains('+ Field')",
            run: "click",
        },
        {
            trigger: ":iframe .s_website_form_field:has(label:contains('Custom Text'))",
        },
        {
            content: "Name the field",
            trigger: ".o_customize_tab div[data-action-id='setLabelText'] input",
            run: "edit Order Number && press Tab",
        },
        {
            content: "Make it required",
            trigger:
                ".o_customize_tab div[data-action-id='toggleRequired'] input[type='checkbox']",
            run: "click",
        },
        {
            trigger: `:iframe ${FORM} .s_website_form_required:has(input[name='Order Number'][required])`,
        },
        ...clickOnSave(),
        {
            content: "The saved form has the new field",
            trigger: `:iframe ${FORM} .s_website_form_field:has(label:contains('Order Number'))`,
        },
    ]
);
