"""Benchmark: /ticket against Odoo's own /lead on the same live chat conversation.

Builds one live chat conversation of N messages (default 500) between a guest
visitor and an operator, some with attachments, then runs ``/ticket <title>``
(helpdesk_intake_livechat) and ``/lead <title>`` (crm_livechat) on it in turn,
as the operator, R times each (default 10, after one warm-up run of each). Prints
the median time and number of SQL queries of each command and the ratio of the
medians (target: /ticket takes no longer than /lead), with the load average.

Without ``--database``, a throwaway database with helpdesk_intake_livechat and
crm_livechat is created, then dropped. With ``--database``, missing addons are
installed in it; everything the benchmark creates is rolled back.

    python3 tests/benchmarks/bench_livechat_ticket.py [--database DB]
        [--messages N] [--runs R]
"""

import argparse
import base64
import statistics
import sys
import time
import uuid

from _odoo_env import (
    close_registry,
    drop_database,
    load_average,
    machine_summary,
    odoo_env,
    prepare_database,
)
from markupsafe import Markup

from odoo.fields import Command

MODULES = ["helpdesk_intake_livechat", "crm_livechat"]
TARGET_RATIO = 1.0
# A 1x1 PNG, so that image attachments take the same path as real screenshots.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVQIW2P4v5ThPwAG7wKklwQ/bwAAAABJRU5ErkJggg=="
)


def build_conversation(env, messages):
    groups = [
        env.ref("base.group_user").id,
        env.ref("im_livechat.im_livechat_group_user").id,
        env.ref("helpdesk_intake.group_helpdesk_user").id,
        env.ref("sales_team.group_sale_salesman").id,
    ]
    operator = env["res.users"].create(
        {
            "name": "Bench Operator",
            "login": f"bench-operator-{uuid.uuid4().hex}",
            "email": "bench.operator@example.com",
            "group_ids": [Command.set(groups)],
        }
    )
    team = (
        env["helpdesk.team"]
        .with_user(operator)
        .sudo()
        .create(
            {
                "name": "Live Chat Benchmark",
                "use_livechat": True,
                "member_ids": [Command.set(operator.ids)],
            }
        )
    )
    guest = env["mail.guest"].create({"name": "Bench Visitor"})
    channel = env["discuss.channel"].create(
        {
            "name": "Bench Visitor Bench Operator",
            "channel_type": "livechat",
            "livechat_channel_id": team.livechat_channel_id.id,
            "livechat_operator_id": operator.partner_id.id,
            "channel_member_ids": [
                Command.create(
                    {
                        "partner_id": operator.partner_id.id,
                        "livechat_member_type": "agent",
                    }
                ),
                Command.create(
                    {"guest_id": guest.id, "livechat_member_type": "visitor"}
                ),
            ],
        }
    )
    values = []
    for index in range(messages):
        from_visitor = index % 2 == 0
        attachments = []
        if index % 25 == 0:
            attachments = [
                Command.create(
                    {
                        "name": f"screenshot-{index}.png",
                        "raw": PNG,
                        "mimetype": "image/png",
                        "res_model": "discuss.channel",
                        "res_id": channel.id,
                    }
                )
            ]
        # What the chat window sends: escaped text, <br> for new lines, links.
        body = Markup(
            "Message %s: the printer <b>still</b> shows error E%s.<br>"
            'See <a href="https://example.com/kb/%s">the article</a>.'
        ) % (index, index, index)
        values.append(
            {
                "model": "discuss.channel",
                "res_id": channel.id,
                "message_type": "comment",
                "body": body,
                "author_id": False if from_visitor else operator.partner_id.id,
                "author_guest_id": guest.id if from_visitor else False,
                "attachment_ids": attachments,
            }
        )
    env["mail.message"].create(values)
    env.flush_all()
    return channel.with_user(operator)


def measure(env, command):
    cr = env.cr
    env.flush_all()
    env.invalidate_all()
    queries = cr.sql_log_count
    start = time.perf_counter()
    command()
    env.flush_all()
    return time.perf_counter() - start, cr.sql_log_count - queries


def run_commands(env, channel, runs):
    """Time each command ``runs`` times, after one warm-up run of each."""
    commands = {
        "/ticket": lambda i: channel.execute_command_ticket(body=f"/ticket Bench {i}"),
        "/lead": lambda i: channel.execute_command_lead(body=f"/lead Bench {i}"),
    }
    results = {name: [] for name in commands}
    for run in range(runs + 1):
        # Alternate which command goes first, so that neither always finds the
        # caches warmed by the other.
        order = list(commands) if run % 2 else list(reversed(commands))
        for name in order:
            sample = measure(env, lambda name=name, run=run: commands[name](run))
            if run:
                results[name].append(sample)
    tickets = env["helpdesk.ticket"].search_count(
        [("origin_channel_id", "=", channel.id)]
    )
    leads = env["crm.lead"].search_count([("origin_channel_id", "=", channel.id)])
    assert tickets == leads == runs + 1, (tickets, leads)
    return results


def report(channel, results):
    attachments = len(channel.message_ids.attachment_ids)
    runs = len(results["/ticket"])
    print(
        f"conversation: {len(channel.message_ids)} messages, "
        f"{attachments} attachments; {runs} runs each"
    )
    medians = {}
    for name, samples in results.items():
        medians[name] = statistics.median(seconds for seconds, _q in samples)
        print(
            f"{name:8} median {medians[name] * 1000:7.1f} ms, "
            f"min {min(seconds for seconds, _q in samples) * 1000:7.1f} ms, "
            f"{statistics.median(queries for _s, queries in samples):.0f} queries"
        )
    ratio = medians["/ticket"] / medians["/lead"]
    print(f"load average {load_average()}")
    verdict = "within" if ratio <= TARGET_RATIO else "ABOVE"
    print(f"ratio /ticket / /lead: {ratio:.2f} ({verdict} the {TARGET_RATIO} target)")
    return ratio


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="existing database (default: throwaway)")
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    database = prepare_database(args.database, "bench_livechat_ticket", MODULES)
    try:
        print(machine_summary(), flush=True)
        with odoo_env(database) as env:
            channel = build_conversation(env, args.messages)
            ratio = report(channel, run_commands(env, channel, args.runs))
    finally:
        if not args.database:
            close_registry(database)
            drop_database(database)
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
