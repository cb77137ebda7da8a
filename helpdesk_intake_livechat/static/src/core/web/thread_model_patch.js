import {Thread} from "@mail/core/common/thread_model";
import {fields} from "@mail/core/common/record";

import {patch} from "@web/core/utils/patch";

patch(Thread.prototype, {
    setup() {
        super.setup();
        this.helpdesk_ticket_ids = fields.Many("helpdesk.ticket");
        this.helpdesk_visitor_ticket_ids = fields.Many("helpdesk.ticket");
    },
});
