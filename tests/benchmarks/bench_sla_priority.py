"""Benchmark: re-evaluate SLA policies when the priority of many tickets changes.

Creates N tickets (default 10,000) in one team with 4 SLA policies, then writes
the priority of all of them in one call and prints the server time and the
number of SQL queries of that write (tracking included), then rolls back.

    python3 tests/benchmarks/bench_sla_priority.py [--database DB] [--tickets N]
"""

import argparse
import time

from _odoo_env import ensure_database, odoo_env


def measure(env, operation):
    cr = env.cr
    env.flush_all()
    env.invalidate_all()
    queries = cr.sql_log_count
    start = time.perf_counter()
    operation()
    env.flush_all()
    cr.precommit.run()  # tracking messages are written at commit time
    return time.perf_counter() - start, cr.sql_log_count - queries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="helpdesk_intake_bench")
    parser.add_argument("--tickets", type=int, default=10_000)
    args = parser.parse_args()
    ensure_database(args.database, ["helpdesk_intake"])

    with odoo_env(args.database) as env:
        stage_new, stage_solved = (
            env["helpdesk.stage"].create({"name": "Bench New", "sequence": 1}),
            env["helpdesk.stage"].create(
                {"name": "Bench Solved", "sequence": 2, "fold": True}
            ),
        )
        team = env["helpdesk.team"].create(
            {
                "name": "Bench SLA",
                "stage_ids": [(6, 0, (stage_new | stage_solved).ids)],
                "use_acknowledgement": False,
            }
        )
        for priority, hours in (("0", 40), ("1", 16), ("2", 8), ("3", 4)):
            env["helpdesk.sla"].create(
                {
                    "name": f"Bench P{priority}",
                    "team_id": team.id,
                    "priority": priority,
                    "time_hours": hours,
                    "stage_id": stage_solved.id,
                }
            )
        start = time.perf_counter()
        tickets = (
            env["helpdesk.ticket"]
            .with_context(mail_create_nolog=True)
            .create(
                [
                    {"name": f"Bench ticket {i}", "team_id": team.id}
                    for i in range(args.tickets)
                ]
            )
        )
        env.flush_all()
        print(f"created {len(tickets)} tickets in {time.perf_counter() - start:.2f} s")

        seconds, queries = measure(env, lambda: tickets.write({"priority": "3"}))
        print(
            f"write priority Low -> Urgent on {len(tickets)} tickets: "
            f"{seconds:.2f} s, {queries} queries"
        )
        assert all(t.sla_status_ids.sla_id.priority == "3" for t in tickets)

        seconds, queries = measure(
            env,
            lambda: tickets.with_context(tracking_disable=True).write(
                {"priority": "1"}
            ),
        )
        print(
            f"same write without tracking (Urgent -> Medium): "
            f"{seconds:.2f} s, {queries} queries"
        )


if __name__ == "__main__":
    main()
