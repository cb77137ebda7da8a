import {Interaction} from "@web/public/interaction";
import {registry} from "@web/core/registry";
import {rpc} from "@web/core/network/rpc";
import {KeepLast} from "@web/core/utils/concurrency";
import wUtils from "@website/js/utils";

import {fetchSuggestions} from "./help_suggestions";

// Suggestions under the subject of the ticket form.
const FORM_SUGGESTIONS = 5;

/**
 * While visitors type the subject of a team's ticket form, answers of the
 * team's help sources that may spare them the ticket; they open in a new
 * tab, so that the form keeps what was typed. The team's counters learn how
 * many were shown and opened.
 */
export class TicketFormSuggestions extends Interaction {
    static selector = "form#helpdesk_ticket_form[data-model_name='helpdesk.ticket']";
    dynamicContent = {
        "input[name=name]": {
            "t-on-input": this.debounced(this.onInput, 400),
        },
        _root: {
            "t-on-click": this.onClick,
            "t-on-auxclick": this.onClick,
        },
    };

    setup() {
        this.keepLast = new KeepLast();
        this.suggestUrl = (
            wUtils.getParsedDataFor(this.el.id, document) || {}
        ).helpdesk_suggest_url;
        this.listEls = [];
        this.shownUrls = new Set();
        // events are counted in order: an opened suggestion after its showing
        this.counting = Promise.resolve();
    }

    async onInput(ev) {
        if (!this.suggestUrl) {
            return;
        }
        const results = await this.waitFor(
            this.keepLast.add(fetchSuggestions(this.suggestUrl, ev.target.value))
        );
        this.render(ev.target, results.slice(0, FORM_SUGGESTIONS));
    }

    render(inputEl, results) {
        for (const el of this.listEls) {
            el.remove();
        }
        this.listEls = results.length
            ? this.renderAt(
                  "helpdesk_intake_website_forum.FormSuggestions",
                  {results},
                  inputEl,
                  "afterend"
              )
            : [];
        // the same answer shown again while the visitor types counts once
        const fresh = results.filter((result) => !this.shownUrls.has(result.url));
        if (fresh.length) {
            fresh.forEach((result) => this.shownUrls.add(result.url));
            this.countEvent("shown", fresh.length);
        }
    }

    onClick(ev) {
        const linkEl = ev.target.closest(".o_helpdesk_form_suggestion");
        if (linkEl) {
            this.countEvent("click", 1).then(() =>
                // the visitor sees which answers they already opened
                linkEl.classList.add("o_helpdesk_form_suggestion_opened", "text-muted")
            );
        }
    }

    countEvent(event, count) {
        const url = this.suggestUrl.replace(/\/suggest$/, "/suggestion_event");
        // counting never gets in the visitor's way
        this.counting = this.counting
            .then(() => rpc(url, {event, count}, {silent: true}))
            .catch(() => {});
        return this.counting;
    }
}

registry
    .category("public.interactions")
    .add("helpdesk_intake_website_forum.form_suggestions", TicketFormSuggestions);
