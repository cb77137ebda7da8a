import {LivechatChannelInfoList} from "@im_livechat/core/web/livechat_channel_info_list";

import {patch} from "@web/core/utils/patch";

patch(LivechatChannelInfoList.prototype, {
    openHelpdeskTicket(ticket) {
        // Through the Helpdesk's action: the app and its menu come along.
        return this.actionService.doAction("helpdesk_intake.helpdesk_ticket_action", {
            viewType: "form",
            props: {resId: ticket.id},
        });
    },
});
