"""Locust visitors of a team's ticket form, for bench_form_load.py.

Each visit is what a new anonymous visitor's browser does: open the team page
(which starts the session and carries the CSRF token the form script sends),
then post the filled-in form as multipart/form-data to the form builder's
route, as Odoo's form script does. A post counts as accepted when the answer
holds the id of the new ticket; anything else is a failure.

Settings come from the environment: HELPDESK_FORM_PAGE (path of the team
page) and HELPDESK_TEAM_ID.
"""

import os
import re
import uuid

from locust import FastHttpUser, constant, task

PAGE = os.environ["HELPDESK_FORM_PAGE"]
TEAM_ID = os.environ["HELPDESK_TEAM_ID"]
CSRF_TOKEN = re.compile(r'csrf_token: "([^"]+)"')
BOUNDARY = "----HelpdeskFormLoad7MA4YWxkTrZu0gW"


def multipart(fields):
    """The body the browser's FormData makes of text ``fields``."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        f"{value}\r\n"
        for name, value in fields.items()
    ]
    return "".join(parts + [f"--{BOUNDARY}--\r\n"]).encode()


class Visitor(FastHttpUser):
    wait_time = constant(0)

    @task
    def submit_ticket(self):
        self.client.cookiejar.clear()  # every visit is a new visitor
        with self.client.get(PAGE, name="GET team page", catch_response=True) as page:
            token = CSRF_TOKEN.search(page.text or "")
            if page.status_code != 200 or not token:
                page.failure(f"no form page ({page.status_code})")
                return
        key = uuid.uuid4().hex[:12]
        body = multipart(
            {
                "partner_name": f"Visitor {key}",
                "partner_email": f"visitor-{key}@load.example.com",
                "partner_phone": "+32 470 12 34 56",
                "name": f"The checkout fails ({key})",
                "description": "Hello,\nthe checkout page stays blank.\nRegards",
                "team_id": TEAM_ID,
                "csrf_token": token.group(1),
            }
        )
        with self.client.post(
            "/website/form/helpdesk.ticket",
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            name="POST ticket form",
            catch_response=True,
        ) as answer:
            try:
                accepted = answer.status_code == 200 and answer.json().get("id")
            except ValueError:
                accepted = False
            if not accepted:
                answer.failure(f"refused ({answer.status_code}): {answer.text[:200]}")
