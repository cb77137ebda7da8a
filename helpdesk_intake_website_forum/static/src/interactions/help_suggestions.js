import {Interaction} from "@web/public/interaction";
import {registry} from "@web/core/registry";
import {KeepLast} from "@web/core/utils/concurrency";

// The suggest route answers searches of at least this many characters.
export const MIN_CHARS = 3;

/**
 * Titles and addresses of the help content matching `term`, from the team's
 * suggest route (`/helpdesk/<team>/suggest`); none when the route cannot
 * answer (a network error is no reason to stop the visitor).
 */
export async function fetchSuggestions(url, term) {
    if (term.trim().length < MIN_CHARS) {
        return [];
    }
    try {
        const response = await fetch(`${url}?${new URLSearchParams({q: term})}`, {
            headers: {Accept: "application/json"},
        });
        return response.ok ? (await response.json()).results : [];
    } catch {
        return [];
    }
}

/**
 * Autocomplete of the help page's search box: the top suggestions under the
 * box, chosen with the arrow keys and Enter, or the mouse.
 */
export class HelpSearch extends Interaction {
    static selector = ".o_helpdesk_help_search";
    dynamicContent = {
        ".o_helpdesk_help_query": {
            "t-on-input": this.debounced(this.onInput, 250),
            "t-on-keydown": this.onKeydown,
            "t-on-blur": this.debounced(this.close, 200),
            "t-att-aria-activedescendant": () =>
                this.active >= 0 ? `${this.menuId}_${this.active}` : undefined,
            "t-att-aria-expanded": () => String(this.results.length > 0),
        },
    };

    setup() {
        this.keepLast = new KeepLast();
        this.inputEl = this.el.querySelector(".o_helpdesk_help_query");
        this.inputEl.setAttribute("role", "combobox");
        this.menuId = "o_helpdesk_help_suggestions";
        this.results = [];
        this.active = -1;
        this.menuEls = [];
    }

    highlight() {
        const items = this.el.querySelectorAll(".o_helpdesk_help_suggestion");
        items.forEach((el, index) =>
            el.classList.toggle("active", index === this.active)
        );
    }

    async onInput() {
        const results = await this.waitFor(
            this.keepLast.add(
                fetchSuggestions(this.el.dataset.suggestUrl, this.inputEl.value)
            )
        );
        this.render(results);
    }

    render(results) {
        for (const el of this.menuEls) {
            el.remove();
        }
        this.results = results;
        this.active = -1;
        this.menuEls = results.length
            ? this.renderAt(
                  "helpdesk_intake_website_forum.HelpSuggestions",
                  {results, menuId: this.menuId, newTab: false},
                  this.inputEl.parentElement
              )
            : [];
    }

    close() {
        this.render([]);
    }

    onKeydown(ev) {
        const count = this.results.length;
        if (!count) {
            return;
        }
        if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
            ev.preventDefault();
            const step = ev.key === "ArrowDown" ? 1 : -1;
            this.active = (this.active + step + count + 1) % (count + 1);
            if (this.active === count) {
                // past the last one: back to what the visitor typed
                this.active = -1;
            }
            this.highlight();
        } else if (ev.key === "Enter" && this.active >= 0) {
            ev.preventDefault();
            window.location.assign(this.results[this.active].url);
        } else if (ev.key === "Escape") {
            this.close();
        }
    }
}

registry
    .category("public.interactions")
    .add("helpdesk_intake_website_forum.help_search", HelpSearch);
