def post_init_hook(env):
    """Teams may have ticked Live Chat before this addon was installed (the
    toggle is what offers to install it): give them their channel now."""
    teams = (
        env["helpdesk.team"]
        .with_context(active_test=False)
        .search([("use_livechat", "=", True), ("livechat_channel_id", "=", False)])
    )
    teams._livechat_ensure_channel()
