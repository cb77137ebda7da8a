"""Benchmark: the website ticket form under load, Odoo in multi-worker mode.

Serves a throwaway copy of a database with helpdesk_intake_website from Odoo
in prefork mode (2 HTTP workers, no cron thread) and lets 20 concurrent
visitors (locust, headless) open a team's form page and post the form as fast
as they can for 60 seconds, each visit as a new anonymous visitor with the
session and CSRF token of the page (see _form_load_locustfile.py). The
per-address rate limit of the form is raised for the run, since every visitor
comes from 127.0.0.1.

Prints requests per second, median and 95th percentile latency and errors of
the form posts (errors must be 0) and of the page views, checks in the
database that the tickets created are exactly the posts accepted, and gives
the server time of each kind of request from Odoo's request log (latency minus
the time spent waiting for a free worker).

Locust runs from its own virtual environment (its dependencies clash with
Odoo's pinned ones), created on first use in ~/.cache/helpdesk_intake_bench
with pip; ``--locust`` names another locust executable.

Without ``--database``, a database with helpdesk_intake_website is created,
copied for the run, and both are dropped. With ``--database``, that database
(nobody may be connected to it) is copied for the run and left untouched.

    python3 tests/benchmarks/bench_form_load.py [--database DB] [--users 20]
        [--duration 60] [--workers 2] [--locust PATH]
"""

import argparse
import csv
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import uuid

from _odoo_env import (
    clone_database,
    committed_env,
    drop_database,
    install,
    install_missing,
    load_average,
    machine_summary,
    odoo_server,
)

MODULES = ["helpdesk_intake_website"]
# per network and per address, shared by every public channel
RATE_LIMIT_KEYS = ("helpdesk_intake.rate_limit", "helpdesk_intake.rate_limit_email")
TEAM_NAME = "Form Load Benchmark"
LOCUSTFILE = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "_form_load_locustfile.py"
)
LOCUST_VENV = os.path.expanduser("~/.cache/helpdesk_intake_bench/locust")
POST, PAGE = "POST ticket form", "GET team page"
# werkzeug's line in Odoo's log: "<request line>" status - queries sql_s python_s
REQUEST_LOG = re.compile(
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" \d+ - '
    r"(?P<queries>\d+) (?P<sql>[\d.]+) (?P<py>[\d.]+)"
)


def locust_executable(path=None):
    """The locust to run: ``path``, else the one of the benchmark's own
    virtual environment, installed there with pip on first use."""
    if path:
        return path
    executable = os.path.join(LOCUST_VENV, "bin", "locust")
    if not os.path.exists(executable):
        print(f"installing locust in {LOCUST_VENV}...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", LOCUST_VENV], check=True)
        pip = os.path.join(LOCUST_VENV, "bin", "pip")
        subprocess.run([pip, "install", "--quiet", "locust"], check=True)
    return executable


def set_up(database):
    """The team with its published form, and no practical rate limit.
    Return the team id and the path of its page."""
    with committed_env(database) as env:
        for key in RATE_LIMIT_KEYS:
            env["ir.config_parameter"].set_param(key, "100000000")
        team = env["helpdesk.team"].create(
            {"name": TEAM_NAME, "use_website_form": True}
        )
        if not team.website_page_id.is_published:
            raise RuntimeError("the page of the team's form is not published")
        return team.id, team.website_page_id.url


def count_tickets(database, team_id):
    with committed_env(database) as env:
        tickets = env["helpdesk.ticket"].search([("team_id", "=", team_id)])
        submissions = env["helpdesk.website.submission"].search_count(
            [("ticket_id", "in", tickets.ids)]
        )
        return len(tickets), submissions


def run_locust(locust, url, team_id, page, users, duration):
    """Run the visitors; return locust's final statistics by request name,
    written once every visit under way at the end has finished, and the
    first error messages."""
    with tempfile.TemporaryDirectory() as directory:
        prefix = os.path.join(directory, "form")
        env = dict(os.environ, HELPDESK_FORM_PAGE=page, HELPDESK_TEAM_ID=str(team_id))
        subprocess.run(
            [
                locust,
                "-f",
                LOCUSTFILE,
                "--headless",
                "--host",
                url,
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--run-time",
                f"{duration}s",
                "--stop-timeout",
                "60",
                "--json-file",
                prefix,
                "--csv",
                prefix,
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            check=False,  # locust exits with 1 when any request failed
        )
        with open(f"{prefix}.json") as stats:
            entries = {entry["name"]: entry for entry in json.load(stats)}
        with open(f"{prefix}_failures.csv") as errors:
            failures = list(csv.DictReader(errors))
        return entries, failures


def percentile(entry, percent):
    """Response time (ms) within which ``percent`` of the requests finished,
    from locust's histogram (as locust computes it)."""
    count = entry["num_requests"]
    done = 0
    for milliseconds in sorted(map(int, entry["response_times"]), reverse=True):
        done += entry["response_times"][str(milliseconds)]
        if count - done <= int(count * percent):
            return milliseconds
    return 0


def server_times(logfile):
    """Per request path, the (queries, seconds in SQL + in Python) that Odoo's
    request log gives for each request."""
    times = {}
    with open(logfile, errors="replace") as log:
        for line in log:
            match = REQUEST_LOG.search(line)
            if match:
                path = f"{match['method']} {match['path'].split('?')[0]}"
                sample = (
                    int(match["queries"]),
                    float(match["sql"]) + float(match["py"]),
                )
                times.setdefault(path, []).append(sample)
    return times


def report_server_times(times):
    print("server time per request (Odoo's request log: SQL + Python):")
    for path, samples in sorted(times.items(), key=lambda item: -len(item[1])):
        if len(samples) < 10:
            continue
        seconds = sorted(total for _q, total in samples)
        print(
            f"  {path:40} {len(samples):5d} requests, median"
            f" {statistics.median(seconds) * 1000:5.0f} ms,"
            f" p95 {seconds[int(len(seconds) * 0.95)] * 1000:5.0f} ms,"
            f" {statistics.median(q for q, _t in samples):.0f} queries"
        )


def report(entries, failures, tickets, submissions):
    print(
        f"{'request':18} {'count':>7} {'errors':>6} {'req/s':>7} {'median':>8}"
        f" {'p95':>8} {'max':>8}"
    )
    for name in (POST, PAGE):
        entry = entries[name]
        seconds = entry["last_request_timestamp"] - entry["start_time"]
        print(
            f"{name:18} {entry['num_requests']:7d} {entry['num_failures']:6d}"
            f" {entry['num_requests'] / seconds:7.1f}"
            f" {percentile(entry, 0.5):6d}ms {percentile(entry, 0.95):6d}ms"
            f" {entry['max_response_time']:6.0f}ms"
        )
    for failure in failures[:5]:
        print(f"error: {failure['Name']}: {failure['Error']} x{failure['Occurrences']}")
    accepted = entries[POST]["num_requests"] - entries[POST]["num_failures"]
    errors = sum(entries[name]["num_failures"] for name in (POST, PAGE))
    consistent = tickets == accepted == submissions
    print(
        f"form posts accepted: {accepted}; tickets created: {tickets}; "
        f"submissions logged: {submissions} -> "
        f"{'consistent' if consistent else 'MISMATCH'}; errors: {errors}"
    )
    return errors == 0 and consistent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database to copy (default: a new one)")
    parser.add_argument("--users", type=int, default=20, help="concurrent visitors")
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--workers", type=int, default=2, help="Odoo HTTP workers")
    parser.add_argument("--locust", help="locust executable (default: own venv)")
    args = parser.parse_args()

    print(machine_summary(), flush=True)
    locust = locust_executable(args.locust)
    key = uuid.uuid4().hex[:8]
    template = args.database or f"bench_form_load_{key}"
    clone = f"bench_form_load_{key}_run"
    if args.database:
        install_missing(template, MODULES)
    else:
        print(f"creating database {template}...", flush=True)
        install(template, MODULES)
    try:
        clone_database(template, clone)
        team_id, page = set_up(clone)
        print(
            f"{args.users} visitors for {args.duration} s against {args.workers}"
            f" workers on {clone}, page {page}",
            flush=True,
        )
        with tempfile.NamedTemporaryFile(suffix=".log") as logfile:
            options = [
                "--limit-time-real=300",
                "--log-level=info",
                f"--logfile={logfile.name}",
            ]
            with odoo_server(clone, workers=args.workers, options=options) as url:
                entries, failures = run_locust(
                    locust, url, team_id, page, args.users, args.duration
                )
                print(f"load average after the run: {load_average()}")
            times = server_times(logfile.name)
        tickets, submissions = count_tickets(clone, team_id)
        ok = report(entries, failures, tickets, submissions)
        report_server_times(times)
    finally:
        drop_database(clone)
        if not args.database:
            drop_database(template)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
