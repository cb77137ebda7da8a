"""Benchmark: website ticket form against Odoo's own contact form (crm.lead).

Starts an Odoo server on a free port and posts N forms to
``/website/form/helpdesk.ticket`` and N forms to ``/website/form/crm.lead``
(website_crm) as an anonymous visitor, one of each in turn against the same
server, then prints both rates and their ratio (target: a ticket form takes at
most 1.1 times as long as a lead form). Every form comes from a new customer
address.

Without ``--database``, a throwaway database with helpdesk_intake_website and
website_crm is created, then dropped. With ``--database``, the two addons are
installed in it when missing, and what the benchmark created is removed at the
end.

    python3 tests/benchmarks/bench_website_form.py [--database DB] [--posts N]
"""

import argparse
import os
import statistics
import time
import uuid

import requests
from _odoo_env import (
    committed_env,
    drop_database,
    install,
    install_missing,
    odoo_server,
)

MODULES = ["helpdesk_intake_website", "website_crm"]
# per network and per address, shared by every public channel
RATE_LIMIT_KEYS = ("helpdesk_intake.rate_limit", "helpdesk_intake.rate_limit_email")
TEAM_NAME = "Website Form Benchmark"
BENCH_DOMAIN = "bench.example.com"


def set_up(database, posts):
    """Create the benchmark team with its published form and lift the
    per-address limit (every post comes from 127.0.0.1) without disabling
    its check. Return the team id and the previous limits."""
    with committed_env(database) as env:
        ICP = env["ir.config_parameter"]
        previous_limit = {key: ICP.get_param(key) for key in RATE_LIMIT_KEYS}
        for key in RATE_LIMIT_KEYS:
            ICP.set_param(key, str(posts * 10 + 1000))
        team = env["helpdesk.team"].create(
            {"name": TEAM_NAME, "use_website_form": True}
        )
        return team.id, previous_limit


def clean_up(database, team_id, previous_limit):
    with committed_env(database) as env:
        team = env["helpdesk.team"].browse(team_id)
        tickets = (
            env["helpdesk.ticket"]
            .with_context(active_test=False)
            .search([("team_id", "=", team.id)])
        )
        customers = tickets.partner_id
        tickets.unlink()
        team.unlink()
        bench_address = [("email_from", "=like", f"%@{BENCH_DOMAIN}")]
        env["crm.lead"].with_context(active_test=False).search(bench_address).unlink()
        customers.filtered(lambda p: p.email.endswith(f"@{BENCH_DOMAIN}")).unlink()
        for key, value in previous_limit.items():
            env["ir.config_parameter"].set_param(key, value or False)


def ticket_form(team_id):
    key = uuid.uuid4().hex[:12]
    return {
        "partner_name": f"Customer {key}",
        "partner_email": f"customer-{key}@{BENCH_DOMAIN}",
        "partner_phone": "+32 470 12 34 56",
        "name": f"Question {key}",
        "description": "Hello,\nmy order did not arrive.\nRegards",
        "team_id": str(team_id),
    }


def lead_form(_team_id):
    key = uuid.uuid4().hex[:12]
    return {
        "contact_name": f"Customer {key}",
        "email_from": f"customer-{key}@{BENCH_DOMAIN}",
        "phone": "+32 470 12 34 56",
        "partner_name": "Bench Company",
        "name": f"Question {key}",
        "description": "Hello,\nmy order did not arrive.\nRegards",
    }


def post_form(session, url, model, values):
    """Post one form; return the elapsed seconds."""
    start = time.perf_counter()
    response = session.post(f"{url}/website/form/{model}", data=values)
    elapsed = time.perf_counter() - start
    response.raise_for_status()
    result = response.json()
    if not result or not result.get("id"):
        raise RuntimeError(f"{model} form refused: {result}")
    return elapsed


def run(url, team_id, posts, warmup):
    """Post ``warmup`` then ``posts`` forms of each model, one of each in
    turn (in alternating order), so that the load of the machine weighs on
    both alike. Return the measured durations by model."""
    session = requests.Session()
    forms = {"helpdesk.ticket": ticket_form, "crm.lead": lead_form}
    durations = {model: [] for model in forms}
    for index in range(warmup + posts):
        order = list(forms) if index % 2 == 0 else list(reversed(forms))
        for model in order:
            seconds = post_form(session, url, model, forms[model](team_id))
            if index >= warmup:
                durations[model].append(seconds)
    return durations


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", help="existing database (default: a throwaway one)"
    )
    parser.add_argument("--posts", type=int, default=300, help="forms posted per model")
    parser.add_argument(
        "--warmup", type=int, default=10, help="unmeasured posts per model"
    )
    args = parser.parse_args()

    throwaway = not args.database
    database = args.database or f"helpdesk_web_bench_{os.getpid()}"
    if throwaway:
        print(f"creating database {database}...", flush=True)
        install(database, MODULES)
    else:
        install_missing(database, MODULES)

    team_id = previous_limit = None
    try:
        team_id, previous_limit = set_up(database, args.posts + args.warmup)
        with odoo_server(database) as url:
            durations = run(url, team_id, args.posts, args.warmup)
    finally:
        if throwaway:
            drop_database(database)
        elif team_id:
            clean_up(database, team_id, previous_limit)

    report(durations)


def report(durations):
    for model, seconds in durations.items():
        print(
            f"{model + ':':17}{len(seconds) / sum(seconds):6.1f} forms/s"
            f"  (median {statistics.median(seconds) * 1000:.0f} ms per form)"
        )
    ratio = sum(durations["helpdesk.ticket"]) / sum(durations["crm.lead"])
    median_ratio = statistics.median(durations["helpdesk.ticket"]) / statistics.median(
        durations["crm.lead"]
    )
    print(
        f"ratio helpdesk.ticket / crm.lead time per form: {ratio:.2f}"
        f" (medians: {median_ratio:.2f}); target <= 1.10"
    )


if __name__ == "__main__":
    main()
