{
    "name": "Helpdesk Intake Website Form",
    "summary": "A published, customizable website ticket form per helpdesk team",
    "version": "19.0.1.2.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/helpdesk-intake/helpdesk-intake",
    "author": "Helpdesk Intake Contributors",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["helpdesk_intake", "website"],
    "data": [
        "security/ir.model.access.csv",
        "security/helpdesk_intake_website_security.xml",
        "data/ir_config_parameter_data.xml",
        "data/ir_model_data.xml",
        "views/helpdesk_website_templates.xml",
        "views/helpdesk_team_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/helpdesk_website_submission_views.xml",
    ],
    "demo": [
        "demo/helpdesk_demo.xml",
    ],
    "uninstall_hook": "uninstall_hook",
    "assets": {
        "web.assets_frontend": [
            "helpdesk_intake_website/static/src/scss/helpdesk_website.scss",
            "helpdesk_intake_website/static/src/js/website_form_errors.js",
        ],
        "website.website_builder_assets": [
            "helpdesk_intake_website/static/src/js/helpdesk_form_editor.js",
        ],
        "web.assets_tests": [
            "helpdesk_intake_website/static/tests/tours/**/*",
        ],
    },
}
