"""Benchmark: re-evaluate SLA policies when the priority of many tickets changes.

Creates N tickets (default 10,000) in one team with 4 SLA policies (one per
priority), then, over several rounds, changes the priority of all of them
along three paths, side by side in the same transaction:

- ``orm-tracked``: ``tickets.write({"priority": ...})`` as the list view's
  mass edit does it, tracking on (one tracking message per ticket);
- ``orm``: the same write with ``tracking_disable``;
- ``sql``: the floor, in plain SQL on the same rows with the same indexes
  and triggers: one ``UPDATE`` of the columns the ORM writes on the tickets
  (priority, SLA deadline, write stamp), the ``DELETE`` of their ongoing SLA
  statuses and one ``INSERT`` of the new ones.

Rounds alternate Low -> Urgent and Urgent -> Low and rotate the order of the
paths; each measurement starts from the same rows (a savepoint is rolled
back after it). Prints the median time and queries of each path, the ratio
to the floor and the load average.

    python3 tests/benchmarks/bench_sla_priority.py [--database DB]
        [--tickets N] [--rounds R] [--profile FILE [--profile-path PATH]]

Without ``--database``, a throwaway database ``helpdesk_sla_bench_<hex>`` is
created with helpdesk_intake and dropped at the end.
"""

import argparse
import cProfile
import functools
import statistics
import time

from _odoo_env import (
    close_registry,
    drop_database,
    load_average,
    machine_summary,
    odoo_env,
    prepare_database,
)

LOW, URGENT = "0", "3"
PATHS = ("orm-tracked", "orm", "sql")


def setup(env, count):
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
                {"name": f"Bench ticket {i}", "team_id": team.id, "priority": LOW}
                for i in range(count)
            ]
        )
    )
    env.flush_all()
    # what the creation left for commit time (it would also keep the first
    # write from being tracked)
    env.cr.precommit.run()
    # statistics as autovacuum keeps them on a live database: without them
    # the planner takes the tickets created in this transaction for an empty
    # table, and each of the ORM's UPDATEs of 100 rows reads all the tickets
    env.cr.execute("ANALYZE helpdesk_ticket, helpdesk_sla_status")
    print(f"created {len(tickets)} tickets in {time.perf_counter() - start:.2f} s")
    return team, tickets


def orm_write(tickets, priority, tracking):
    if not tracking:
        tickets = tickets.with_context(tracking_disable=True)
    tickets.write({"priority": priority})


def sql_floor(env, team, tickets, priority):
    """The rows the write must change, changed in plain SQL: the policy of
    ``priority`` replaces the ongoing statuses of the tickets."""
    cr = env.cr
    ids = tickets.ids
    # the columns the ORM writes: priority, the stored earliest deadline of
    # the new policy and the write stamp, so that both rewrite the same
    # rows and indexes
    cr.execute(
        """
        UPDATE helpdesk_ticket t SET priority = %(priority)s,
            sla_deadline = t.create_date + s.time_hours * interval '1 hour',
            write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC'
        FROM helpdesk_sla s
        WHERE s.team_id = %(team)s AND s.priority = %(priority)s AND s.active
            AND t.id = ANY(%(ids)s)
        """,
        {"uid": env.uid, "team": team.id, "priority": priority, "ids": ids},
    )
    cr.execute(
        "DELETE FROM helpdesk_sla_status WHERE ticket_id = ANY(%s)"
        " AND status = 'ongoing'",
        [ids],
    )
    cr.execute(
        """
        INSERT INTO helpdesk_sla_status (ticket_id, sla_id, status, team_id,
            company_id, priority, intake_channel, deadline, paused_hours,
            create_uid, create_date, write_uid, write_date)
        SELECT t.id, s.id, 'ongoing', s.team_id, s.company_id, s.priority,
            t.intake_channel, t.create_date + s.time_hours * interval '1 hour',
            0, %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
        FROM helpdesk_ticket t
        JOIN helpdesk_sla s ON s.team_id = %(team)s AND s.priority = %(priority)s
            AND s.active
        WHERE t.id = ANY(%(ids)s)
        """,
        {"uid": env.uid, "team": team.id, "priority": priority, "ids": ids},
    )


def run_path(env, team, tickets, path, priority):
    if path == "sql":
        sql_floor(env, team, tickets, priority)
    else:
        orm_write(tickets, priority, tracking=path == "orm-tracked")


def measure(env, operation, profiler=None):
    cr = env.cr
    env.flush_all()
    env.invalidate_all()
    queries = cr.sql_log_count
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    operation()
    env.flush_all()
    cr.precommit.run()  # tracking messages are written at commit time
    if profiler:
        profiler.disable()
    return time.perf_counter() - start, cr.sql_log_count - queries


def check(env, tickets, priority):
    env.invalidate_all()
    statuses = tickets.sla_status_ids.filtered(lambda s: s.status == "ongoing")
    assert len(statuses) == len(tickets), (len(statuses), len(tickets))
    assert set(statuses.sla_id.mapped("priority")) == {priority}
    assert set(tickets.mapped("priority")) == {priority}
    # the stored deadline is the one of the new statuses, in the database
    env.cr.execute(
        """
        SELECT count(*) FROM helpdesk_ticket t
        WHERE t.id = ANY(%s) AND t.sla_deadline IS DISTINCT FROM (
            SELECT min(deadline) FROM helpdesk_sla_status
            WHERE ticket_id = t.id AND status = 'ongoing')
        """,
        [tickets.ids],
    )
    assert not env.cr.fetchone()[0], "stale sla_deadline"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="existing database (kept)")
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--profile", help="write a cProfile of one path to FILE")
    parser.add_argument("--profile-path", choices=PATHS, default="orm-tracked")
    args = parser.parse_args()
    database = prepare_database(
        args.database, "helpdesk_sla_bench", ["helpdesk_intake"]
    )
    try:
        run(database, args)
    finally:
        close_registry(database)
        if not args.database:
            drop_database(database)


def run(database, args):
    print(machine_summary())
    results = {path: [] for path in PATHS}
    profiler = cProfile.Profile() if args.profile else None
    with odoo_env(database) as env:
        cr = env.cr
        team, tickets = setup(env, args.tickets)
        for round_ in range(args.rounds):
            source, target = (LOW, URGENT) if round_ % 2 == 0 else (URGENT, LOW)
            cr.execute("SAVEPOINT bench_round")
            if source != LOW:
                orm_write(tickets, source, tracking=False)
                env.flush_all()
                cr.precommit.run()
            offset = round_ % len(PATHS)
            for path in PATHS[offset:] + PATHS[:offset]:
                cr.execute("SAVEPOINT bench_path")
                seconds, queries = measure(
                    env,
                    functools.partial(run_path, env, team, tickets, path, target),
                    profiler if path == args.profile_path else None,
                )
                check(env, tickets, target)
                results[path].append((seconds, queries))
                print(
                    f"round {round_ + 1} {source}->{target} {path:>11}: "
                    f"{seconds:6.3f} s, {queries:4d} queries "
                    f"(load {load_average()})",
                    flush=True,
                )
                cr.execute("ROLLBACK TO SAVEPOINT bench_path")
                env.invalidate_all()
            cr.execute("ROLLBACK TO SAVEPOINT bench_round")
            env.invalidate_all()
    floor = statistics.median(seconds for seconds, _q in results["sql"])
    print(f"\n{args.tickets} tickets, 4 policies, {args.rounds} rounds (medians):")
    print("| path | seconds | queries | ratio to SQL floor |")
    print("| --- | ---: | ---: | ---: |")
    for path in PATHS:
        seconds = statistics.median(s for s, _q in results[path])
        queries = statistics.median(q for _s, q in results[path])
        print(f"| {path} | {seconds:.3f} | {queries:.0f} | {seconds / floor:.2f} |")
    print(f"load average at the end: {load_average()}")
    if profiler:
        profiler.dump_stats(args.profile)
        print(f"profile of {args.profile_path} written to {args.profile}")


if __name__ == "__main__":
    main()
