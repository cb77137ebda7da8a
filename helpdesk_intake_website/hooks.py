def uninstall_hook(env):
    # The teams' pages render team fields that leave with this addon, and
    # the form builder would keep offering a ticket action without its editor.
    env["helpdesk.team"].with_context(active_test=False).search(
        [("website_page_id", "!=", False)]
    ).website_page_id.unlink()
    env["ir.model"]._get("helpdesk.ticket").website_form_access = False
    env["website"].search([]).helpdesk_menu_id.unlink()
