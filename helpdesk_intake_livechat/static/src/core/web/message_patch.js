import {Message} from "@mail/core/common/message";

import {patch} from "@web/core/utils/patch";

patch(Message.prototype, {
    async onClick(ev) {
        // "Load more" of a /search_tickets answer asks for the next page.
        const more = ev.target.closest("a.o_helpdesk_search_more");
        if (more && this.props.thread) {
            ev.preventDefault();
            more.remove();
            await this.env.services.orm.call(
                "discuss.channel",
                "execute_command_search_tickets",
                [[this.props.thread.id]],
                {
                    body: `/search_tickets ${more.dataset.terms}`,
                    offset: Number(more.dataset.offset),
                }
            );
            return;
        }
        return super.onClick(...arguments);
    },
});
