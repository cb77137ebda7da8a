import {CreateTicketDialog} from "./create_ticket_dialog";

import {ThreadAction, registerThreadAction} from "@mail/core/common/thread_actions";
import "@mail/discuss/call/common/thread_actions";

import {_t} from "@web/core/l10n/translation";
import {patch} from "@web/core/utils/patch";
import {usePopover} from "@web/core/popover/popover_hook";

registerThreadAction("create-ticket", {
    actionPanelComponent: CreateTicketDialog,
    actionPanelComponentProps: ({action}) => ({
        close: () => action.close(),
        commandName: "ticket",
        placeholderText: _t("e.g. Printer prints blank pages"),
        title: _t("Create Ticket"),
        icon: "fa fa-life-ring",
    }),
    close: ({action}) => action.popover?.close(),
    // Decided by the patch below: the conversation's own operators only.
    condition: false,
    panelOuterClass: "bg-100",
    icon: "fa fa-life-ring",
    name: _t("Create Ticket"),
    sequence: 11,
    sequenceGroup: 25,
    setup({owner}) {
        if (!owner.env.inChatWindow) {
            this.popover = usePopover(CreateTicketDialog, {
                onClose: () => this.close(),
                popoverClass: this.panelOuterClass,
            });
        }
    },
    toggle: true,
    open({owner, thread}) {
        this.popover?.open(owner.root.el.querySelector(`[name="${this.id}"]`), {
            thread,
            ...this.actionPanelComponentProps,
        });
    },
});

patch(ThreadAction.prototype, {
    _condition({action, owner, store, thread}) {
        if (action.id === "create-ticket") {
            return Boolean(
                thread?.channel_type === "livechat" &&
                    thread.self_member_id &&
                    store.self_partner?.main_user_id?.share === false &&
                    !owner.isDiscussSidebarChannelActions
            );
        }
        return super._condition(...arguments);
    },
});
