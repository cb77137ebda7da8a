{
    "name": "Helpdesk Intake Website Forum",
    "summary": "A forum per helpdesk team whose pages lead visitors to the team's "
    "ticket form",
    "version": "19.0.1.1.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/helpdesk-intake/helpdesk-intake",
    "author": "Helpdesk Intake Contributors",
    "license": "LGPL-3",
    "installable": True,
    "auto_install": True,
    "depends": ["helpdesk_intake_website", "website_forum"],
    "data": [
        "security/ir.model.access.csv",
        "views/helpdesk_team_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/forum_post_views.xml",
        "views/website_forum_templates.xml",
        "views/helpdesk_help_templates.xml",
        "wizards/helpdesk_ticket_forum_share_views.xml",
    ],
    "demo": [
        "demo/helpdesk_demo.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "helpdesk_intake_website_forum/static/src/interactions/**/*",
        ],
        "web.assets_tests": [
            "helpdesk_intake_website_forum/static/tests/tours/**/*",
        ],
    },
}
