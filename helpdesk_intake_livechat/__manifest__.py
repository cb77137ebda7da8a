{
    "name": "Helpdesk Intake Live Chat",
    "summary": "Live chat conversations become helpdesk tickets: /ticket, chatbot step",
    "version": "19.0.1.2.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/helpdesk-intake/helpdesk-intake",
    "author": "Helpdesk Intake Contributors",
    "license": "LGPL-3",
    "installable": True,
    "auto_install": False,
    "depends": ["helpdesk_intake", "im_livechat"],
    "data": [
        "security/helpdesk_intake_livechat_security.xml",
        "data/chatbot_script_data.xml",
        "views/helpdesk_team_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/discuss_channel_views.xml",
        "views/chatbot_script_step_views.xml",
        "views/chatbot_script_views.xml",
    ],
    "demo": [
        "demo/chatbot_script_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "helpdesk_intake_livechat/static/src/core/web/**/*",
        ],
        "web.assets_tests": [
            "helpdesk_intake_livechat/static/tests/tours/**/*",
        ],
        # The live chat embed test bundle only loads what visitors get.
        "im_livechat.embed_assets_unit_tests_setup": [
            ("remove", "helpdesk_intake_livechat/static/src/core/web/**/*"),
        ],
    },
    "post_init_hook": "post_init_hook",
}
