{
    "name": "Helpdesk Intake Website Courses",
    "summary": "The courses of a helpdesk team as a help source of its help page",
    "version": "19.0.1.0.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/helpdesk-intake/helpdesk-intake",
    "author": "Helpdesk Intake Contributors",
    "license": "LGPL-3",
    "installable": True,
    "auto_install": True,
    "depends": ["helpdesk_intake_website_forum", "website_slides"],
    "data": [
        "views/helpdesk_team_views.xml",
    ],
}
