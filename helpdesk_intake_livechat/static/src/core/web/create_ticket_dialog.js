import {LivechatCommandDialog} from "@im_livechat/core/common/livechat_command_dialog";

import {onWillStart} from "@odoo/owl";

// The dialog of /ticket, its title proposed from the visitor's first message.
export class CreateTicketDialog extends LivechatCommandDialog {
    setup() {
        super.setup();
        onWillStart(async () => {
            const title = await this.store.env.services.orm.call(
                "discuss.channel",
                "helpdesk_ticket_title_suggestion",
                [[this.props.thread.id]]
            );
            if (!this.state.inputText) {
                this.state.inputText = title;
            }
        });
    }
}
