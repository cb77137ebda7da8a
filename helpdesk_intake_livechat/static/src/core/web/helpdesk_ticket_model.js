import {fields, Record} from "@mail/core/common/record";

import {router} from "@web/core/browser/router";

export class HelpdeskTicket extends Record {
    static id = "id";
    static _name = "helpdesk.ticket";

    /** @type {number} */
    id;
    /** @type {string} */
    display_name;
    href = fields.Attr("", {
        compute() {
            return router.stateToUrl({model: "helpdesk.ticket", resId: this.id});
        },
    });

    // The conversation's information panel lists records by name: a ticket
    // goes by its title and reference.
    get name() {
        return this.display_name;
    }
}

HelpdeskTicket.register();
