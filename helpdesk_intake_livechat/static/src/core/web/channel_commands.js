import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";

const commands = registry.category("discuss.channel_commands");

commands.add("ticket", {
    channel_types: ["livechat"],
    help: _t("Create a helpdesk ticket from this conversation (/ticket ticket title)"),
    methodName: "execute_command_ticket",
});

commands.add("search_tickets", {
    channel_types: ["livechat"],
    help: _t("Search helpdesk tickets (/search_tickets words)"),
    methodName: "execute_command_search_tickets",
});
