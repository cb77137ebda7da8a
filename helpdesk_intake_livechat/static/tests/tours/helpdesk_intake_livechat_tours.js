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
