"""The website form's per-client rate limit under simultaneous posts.

A client (here 127.0.0.1, Odoo runs without proxy mode) may create at most
``helpdesk_intake.rate_limit`` tickets per hour. The limit must hold when
the posts reach the server at the same instant: an Odoo server with several
worker processes serves 12 visitors, each with their own HTTP session,
whose posts are released together; only ``limit`` of them become tickets,
the others get the form's JSON error, never an HTTP 500, and the server does
not log a serialization failure or a traceback on the way.

The Odoo server runs on a copy of the shared test database (the one given
by ``--odoo-database``), with the real-server harness of the mail path
tests; it needs no mail server. HELPDESK_MAIL_KEEP=1 keeps the copy and the
server's log, as for the mail path tests.
"""

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from mail_path import harness

POSTS = 12
LIMIT = 3
KEEP = bool(os.environ.get("HELPDESK_MAIL_KEEP"))
# what a worker must not log while serving the posts
LOG_PROBLEMS = re.compile(
    r"could not serialize|serialization failure|Traceback|"
    r"^\S+ \S+ \d+ (ERROR|CRITICAL) ",
    re.IGNORECASE | re.MULTILINE,
)


@pytest.fixture(scope="module")
def shared_database(request):
    name = request.config.getoption("--odoo-database", default=None)
    if not name:
        from odoo.tests.common import get_db_name

        name = get_db_name()
    return name


@pytest.fixture(scope="module")
def workdir():
    path = Path(tempfile.mkdtemp(prefix="helpdesk-form-rate-"))
    yield path
    if not KEEP:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def database(shared_database):
    name = f"{shared_database}_form_rate_limit"[:63]
    database = harness.Database.clone(shared_database, name)
    yield database
    if not KEEP:
        database.drop()


@pytest.fixture(scope="module")
def server(database, workdir):
    # worker processes, so that the posts are served at the same time
    server = harness.OdooServer(database, workdir, workers=2).start()
    yield server
    # a second signal: Odoo stops its workers at once instead of waiting
    # for the idle ones to notice
    if server.process.poll() is None:
        server.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.process.wait(1)
        if server.process.poll() is None:
            server.process.terminate()
    server.stop()


# ----------------------------------------------------------------------
# Tools
# ----------------------------------------------------------------------


def set_limits(server, per_client, per_email=0):
    ICP = "ir.config_parameter"
    server.execute(ICP, "set_param", "helpdesk_intake.rate_limit", str(per_client))
    server.execute(ICP, "set_param", "helpdesk_intake.rate_limit_email", str(per_email))


def create_team(server, name):
    """A team taking tickets through its published website form, and the
    URL of that form's page."""
    team_id = server.execute(
        "helpdesk.team", "create", {"name": name, "use_website_form": True}
    )
    (team,) = server.execute(
        "helpdesk.team", "read", [team_id], ["website_url", "is_published"]
    )
    assert team["website_url"] and team["is_published"], team
    return team_id, team["website_url"]


def team_tickets(server, team_id):
    return server.execute(
        "helpdesk.ticket",
        "search_read",
        [("team_id", "=", team_id)],
        ["partner_email"],
        context={"active_test": False},
    )


class Visitor:
    """A browser that opened the team's page: its own session cookie and
    the CSRF token of the page, as the form script posts it."""

    def __init__(self, server, url, number):
        self.server = server
        self.session = requests.Session()
        page = self.session.get(f"{server.url}{url}", timeout=60)
        assert page.status_code == 200, (url, page.status_code)
        self.csrf_token = re.search(r'csrf_token: "([^"]+)"', page.text).group(1)
        self.email = f"visitor{number}@concurrency.example.com"
        self.number = number

    def form(self, team_id):
        return {
            "partner_name": f"Visitor {self.number}",
            "partner_email": self.email,
            "name": f"Simultaneous request {self.number}",
            "description": f"Request {self.number}, posted with {POSTS - 1} others.",
            "team_id": str(team_id),
            "csrf_token": self.csrf_token,
        }

    def post(self, team_id):
        return self.session.post(
            f"{self.server.url}/website/form/helpdesk.ticket",
            data=self.form(team_id),
            timeout=120,
        )


def post_at_once(visitors, team_id):
    """Every visitor's form posted at the same instant; the answers in the
    order of ``visitors`` (an exception where the post itself failed)."""
    barrier = threading.Barrier(len(visitors))
    answers = [None] * len(visitors)

    def post(index, visitor):
        barrier.wait(timeout=60)
        try:
            answers[index] = visitor.post(team_id)
        except requests.RequestException as error:
            answers[index] = error

    threads = [
        threading.Thread(target=post, args=(index, visitor))
        for index, visitor in enumerate(visitors)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert not any(thread.is_alive() for thread in threads), "a post never returned"
    return answers


def decode(answer):
    """The JSON of a form answer; fails on anything else than the 200 JSON
    answer of the form controller."""
    assert isinstance(answer, requests.Response), answer
    assert answer.status_code == 200, (answer.status_code, answer.text[:2000])
    assert "Traceback" not in answer.text, answer.text[:2000]
    try:
        return json.loads(answer.text)
    except ValueError:
        pytest.fail(f"not a JSON answer: {answer.text[:2000]!r}")


def log_size(server):
    return server.log.stat().st_size if server.log.exists() else 0


def log_since(server, offset):
    with open(server.log, "rb") as log:
        log.seek(offset)
        return log.read().decode(errors="replace")


def burst(server, name):
    """A new team, 12 visitors who opened its page, and their posts
    released together: the tickets of the team, the decoded answers and
    what the server logged meanwhile."""
    team_id, url = create_team(server, name)
    with ThreadPoolExecutor(4) as pool:
        visitors = list(
            pool.map(lambda number: Visitor(server, url, number), range(1, POSTS + 1))
        )
    offset = log_size(server)
    answers = [decode(answer) for answer in post_at_once(visitors, team_id)]
    log = log_since(server, offset)
    problems = [match.group(0) for match in LOG_PROBLEMS.finditer(log)]
    assert not problems, f"the server logged {problems}:\n{log[-6000:]}"
    return team_tickets(server, team_id), answers


# ----------------------------------------------------------------------
# Tests
# ----------------------------------------------------------------------
# The limited burst runs first: every post of this module comes from
# 127.0.0.1, and the unlimited one leaves that client 12 more tickets.


def test_simultaneous_posts_respect_the_client_rate_limit(server):
    set_limits(server, LIMIT)
    tickets, answers = burst(server, "Concurrency")
    accepted = [answer for answer in answers if "id" in answer]
    refused = [answer for answer in answers if "id" not in answer]
    assert len(tickets) == LIMIT, (
        f"{len(tickets)} tickets from one client for a limit of {LIMIT}: {answers}"
    )
    assert sorted(answer["id"] for answer in accepted) == sorted(
        ticket["id"] for ticket in tickets
    ), answers
    assert len(refused) == POSTS - LIMIT, answers
    for answer in refused:
        assert set(answer) == {"error"}, answer
        assert isinstance(answer["error"], str) and answer["error"].strip(), answer


def test_simultaneous_posts_without_limit_all_accepted(server):
    """With the limit off (0) the same burst gives a ticket per post: the
    burst itself does not lose posts, so the count above is the limit's."""
    set_limits(server, 0)
    tickets, answers = burst(server, "Concurrency Unlimited")
    assert all(set(answer) == {"id"} for answer in answers), answers
    assert len(tickets) == POSTS, answers
    assert sorted(ticket["partner_email"] for ticket in tickets) == sorted(
        f"visitor{number}@concurrency.example.com" for number in range(1, POSTS + 1)
    )
    assert sorted(answer["id"] for answer in answers) == sorted(
        ticket["id"] for ticket in tickets
    )
