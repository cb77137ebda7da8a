import {fields, Record} from "@mail/core/common/record";

export class HelpdeskTicket extends Record {
    static id = "id";
    static _name = "helpdesk.ticket";

    /** @type {number} */
    id;
    /** @type {string} */
    display_name;
    // The ticket in the Helpdesk app, its menu included.
    href = fields.Attr("", {
        compute() {
            return `/odoo/action-helpdesk_intake.helpdesk_ticket_action/${this.id}`;
        },
    });

    // The conversation's information panel lists records by name: a ticket
    // goes by its title and reference.
    get name() {
        return this.display_name;
    }
}

HelpdeskTicket.register();
