import {_t} from "@web/core/l10n/translation";
import {patch} from "@web/core/utils/patch";
import {Form} from "@website/snippets/s_website_form/form";

// The server checks ticket forms too (required fields, attachments) and
// answers with the faulty inputs, by name: show its message next to each.
patch(Form.prototype, {
    checkErrorFields(errorFields) {
        const valid = super.checkErrorFields(errorFields);
        if (this.el.dataset.model_name !== "helpdesk.ticket" || !errorFields) {
            return valid;
        }
        const messages = Array.isArray(errorFields)
            ? Object.fromEntries(errorFields.map((name) => [name, ""]))
            : errorFields;
        let found = false;
        for (const [name, message] of Object.entries(messages)) {
            const inputEl = this.el.querySelector(
                `.s_website_form_input[name="${CSS.escape(name)}"]`
            );
            const fieldEl = inputEl?.closest(".s_website_form_field");
            if (!fieldEl) {
                continue;
            }
            found = true;
            fieldEl.classList.add("o_has_error");
            inputEl.classList.add("is-invalid");
            this.updateStatusInline(message || _t("This field is required."), inputEl);
        }
        return valid && !found;
    },
});
