import {registry} from "@web/core/registry";

const widget = ".o-livechat-root:shadow";

// The visitor opens the chat on the website and explains the problem.
registry.category("web_tour.tours").add("helpdesk_intake_livechat_visitor_tour", {
    steps: () => [
        {
            content: "Open the live chat widget",
            trigger: `${widget} .o-livechat-LivechatButton`,
            run: "click",
        },
        {
            trigger: `${widget} .o-mail-ChatWindow .o-mail-Composer-input`,
            run: "edit My printer prints <b>blank</b> pages",
        },
        {
            trigger: `${widget} .o-mail-ChatWindow .o-mail-Composer-input`,
            run: "press Enter",
        },
        {
            content: "The message reached the operator's conversation",
            trigger: `${widget} .o-mail-ChatWindow .o-mail-Thread:not([data-transient]) .o-mail-Message:contains('My printer prints')`,
        },
    ],
});

// The operator answers in Discuss, then turns the conversation into a ticket.
registry.category("web_tour.tours").add("helpdesk_intake_livechat_operator_tour", {
    steps: () => [
        {
            content: "Discuss opens on the visitor's conversation",
            trigger: ".o-mail-DiscussSidebarChannel.o-active:contains('Visitor')",
        },
        {
            trigger:
                ".o-mail-Discuss .o-mail-Thread .o-mail-Message:contains('My printer prints')",
        },
        {
            trigger: ".o-mail-Composer-input",
            run: "edit Sorry about that, let me open a ticket.",
        },
        {
            trigger: ".o-mail-Composer-input",
            run: "press Enter",
        },
        {
            trigger:
                ".o-mail-Message:contains('Sorry about that, let me open a ticket.')",
        },
        {
            trigger: ".o-mail-Composer-input",
            run: "edit /ticket Printer broken",
        },
        {
            trigger: ".o-mail-Composer-input",
            run: "press Enter",
        },
        {
            content: "Only the operator sees the link to the new ticket",
            trigger:
                ".o-mail-Message:contains('Created ticket') a[data-oe-model='helpdesk.ticket']:contains('Printer broken (#')",
        },
        {
            content: "The conversation's information panel lists its ticket",
            trigger:
                ".o-livechat-ChannelInfoList a[data-oe-model='helpdesk.ticket']:contains('Printer broken (#')",
        },
    ],
});

// The operator looks the visitor's tickets up, then opens one more with the
// conversation's button, and follows a ticket of the side panel.
registry
    .category("web_tour.tours")
    .add("helpdesk_intake_livechat_operator_tools_tour", {
        steps: () => [
            {
                trigger:
                    ".o-mail-Discuss .o-mail-Thread .o-mail-Message:contains('My scanner is broken')",
            },
            {
                trigger: ".o-mail-Composer-input",
                run: "edit /search_tickets printer",
            },
            {
                trigger: ".o-mail-Composer-input",
                run: "press Enter",
            },
            {
                content: "The operator sees the matching tickets, with their status",
                trigger:
                    ".o-mail-Message:contains('Tickets matching') li:contains('New') a[data-oe-model='helpdesk.ticket']:contains('Printer jams (#')",
            },
            {
                trigger: ".o-mail-DiscussContent-header button[title='Create Ticket']",
                run: "click",
            },
            {
                content: "The title comes from the visitor's first message",
                trigger:
                    ".o-livechat-LivechatCommandDialog-form input:value(My scanner is broken)",
            },
            {
                trigger: ".o-mail-ActionPanel button:contains('Create Ticket')",
                run: "click",
            },
            {
                trigger:
                    ".o-mail-Message:contains('Created ticket') a[data-oe-model='helpdesk.ticket']:contains('My scanner is broken (#')",
            },
            {
                content: "Show the conversation's information, if the dialog hid it",
                trigger: ".o-mail-DiscussContent-header [name='livechat-info']",
                run() {
                    if (!document.querySelector(".o-livechat-ChannelInfoList")) {
                        this.anchor.click();
                    }
                },
            },
            {
                content: "The side panel lists the conversation's ticket...",
                trigger:
                    ".o-livechat-ChannelInfoList [name='helpdesk_tickets_conversation'] a:contains('My scanner is broken (#')",
            },
            {
                content: "...and the visitor's other open tickets",
                trigger:
                    ".o-livechat-ChannelInfoList [name='helpdesk_tickets_visitor'] a:contains('Printer jams (#')",
                run: "click",
            },
            {
                content: "The ticket opens in the app, the conversation a click back",
                trigger:
                    ".o_breadcrumb:contains('Jane Portal'):contains('Printer jams (#') .o_back_button",
            },
            {
                trigger:
                    ".o_form_view .o_field_widget[name='name'] input:value(Printer jams)",
                run() {
                    const path = window.location.pathname;
                    // The Tickets action, not a bare form: /odoo/discuss/action-<id>/<ticket>
                    if (!/\/action-[\w.]+\/\d+$/.test(path)) {
                        throw new Error(
                            `The ticket is not opened by its action: ${path}`
                        );
                    }
                },
            },
        ],
    });
