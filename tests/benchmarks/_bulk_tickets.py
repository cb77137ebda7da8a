"""Helpdesk data in bulk for the scale benchmarks: teams, agents, customers
and up to millions of tickets, generated with SQL (``INSERT ... SELECT
generate_series``) in a few minutes.

    from _bulk_tickets import generate
    with committed_env(database) as env:
        data = generate(env, tickets=1_000_000)

``generate`` is incremental: the teams, agents and customers are made once,
then only the tickets missing to reach ``tickets`` are added, so that a
benchmark can measure at 10,000 tickets, grow the same database to 1,000,000
and measure again. The tickets of one call are spread over the last year
like those of any other, so that a small data set looks like a sample of a
big one:

- a backlog of open tickets: half of the tickets of the last 30 days, 20 % of
  the older ones (in New, In Progress or Waiting), the others solved (90 %)
  or cancelled;
- priorities Low 50 %, Medium 30 %, High 15 %, Urgent 5 %; channels email
  60 %, website 25 %, live chat 10 %, manual 5 %; 80 % assigned to one of the
  two agents of the team;
- the customer of each ticket drawn among ``customers`` contacts with an
  email address, except the first ``portal_tickets`` tickets, which belong
  to one customer with a portal user (``data.portal_login``);
- one SLA status per ticket (the team's policy of its priority): ongoing for
  open tickets, reached or failed for the closed ones, about 1 in 5 failed;
- tags on 30 % of the tickets; the customer follows each ticket; and, unless
  ``messages=0``, that many messages per ticket (the email that opened it,
  then replies).

Then VACUUM ANALYZE of the tables written, as autovacuum would do after bulk
inserts (statistics for the planner, visibility map for index-only scans).
``generate_forum_posts`` does the same for the questions and answers of a
forum (help center suggestions).
"""

import dataclasses
import time

from _odoo_env import psql

PREFIX = "Bulk"
REF_PREFIX = "BK"
AGENT_LOGIN = "bulk-agent-{}"
PORTAL_LOGIN = "bulk-portal-customer"
STAGE_XMLIDS = ("new", "in_progress", "waiting", "solved", "cancelled")
TAGS = ("Billing", "Hardware", "Login", "Delivery", "Bug", "Question", "VIP", "Urgent")
# Hours of the SLA policy of each priority, as a team sets them up.
SLA_HOURS = {"0": 40, "1": 16, "2": 8, "3": 4}
# The teams too: a table of a few rows never reaches autovacuum's threshold,
# and a stale estimate of the teams open to portal users makes PostgreSQL
# scan the tickets team by team.
TICKET_TABLES = (
    "helpdesk_team",
    "helpdesk_ticket",
    "helpdesk_sla_status",
    "helpdesk_tag_helpdesk_ticket_rel",
    "mail_followers",
    "mail_followers_mail_message_subtype_rel",
    "mail_message",
    "res_partner",
)
# Words of the forum questions' titles: any two of them match about 1 in
# 500 questions, as a visitor's words would in a forum of varied topics.
PRODUCTS = tuple(
    f"{model} {number}"
    for model in (
        "LaserJet",
        "Router",
        "Tablet",
        "Scanner",
        "Mobile app",
        "Web shop",
        "Invoice",
        "Monitor",
        "Headset",
        "Keyboard",
    )
    for number in (100, 200, 300, 400, 500)
)
BATCH = 250_000  # tickets per INSERT, to bound the memory of one statement


@dataclasses.dataclass
class BulkData:
    team_ids: list
    agent_ids: list
    agent_logins: list
    stage_ids: dict  # xmlid suffix: id
    tag_ids: list
    customer_count: int
    portal_partner_id: int
    portal_login: str
    portal_tickets: int
    tickets: int  # bulk tickets in the database


def generate(
    env,
    tickets=1_000_000,
    teams=20,
    agents_per_team=2,
    customers=50_000,
    portal_tickets=1000,
    messages=1,
    vacuum=True,
    verbose=True,
):
    """Make the database hold ``tickets`` bulk tickets (adding only those
    missing) with the teams, agents and customers around them; commit, then
    VACUUM ANALYZE. The sizes other than ``tickets`` and ``messages`` only
    apply the first time. Return a :class:`BulkData`."""
    start = time.perf_counter()
    env = env(context={"tracking_disable": True, "mail_create_nolog": True})
    data = ensure_base(env, teams, agents_per_team, customers, portal_tickets)
    missing = tickets - data.tickets
    if missing > 0:
        if verbose:
            print(f"adding {missing:,} tickets to {data.tickets:,}...", flush=True)
        for first in range(data.tickets + 1, tickets + 1, BATCH):
            last = min(first + BATCH - 1, tickets)
            insert_tickets(env.cr, data, first, last, messages)
            env.cr.commit()
        data.tickets = tickets
        if vacuum:
            vacuum_analyze(env.cr.dbname)
        if verbose:
            print(
                f"{tickets:,} tickets ready in {time.perf_counter() - start:.1f} s",
                flush=True,
            )
    env.cr.commit()
    return data


def ensure_base(
    env, teams=20, agents_per_team=2, customers=50_000, portal_tickets=1000
):
    """Teams (open to portal users), their agents and SLA policies, tags,
    customers and the portal customer, unless they exist already."""
    from odoo.fields import Command

    stages = {
        xmlid: env.ref(f"helpdesk_intake.stage_{xmlid}").id for xmlid in STAGE_XMLIDS
    }
    Team = env["helpdesk.team"]
    team_records = Team.search([("name", "=like", f"{PREFIX} Team %")], order="id")
    if not team_records:
        group = env.ref("helpdesk_intake.group_helpdesk_user")
        agents = env["res.users"].create(
            [
                {
                    "name": f"{PREFIX} Agent {i}",
                    "login": AGENT_LOGIN.format(i),
                    "email": f"bulk.agent{i}@example.com",
                    "group_ids": [Command.set(group.ids)],
                }
                for i in range(1, teams * agents_per_team + 1)
            ]
        )
        team_records = Team.create(
            [
                {
                    "name": f"{PREFIX} Team {t + 1:02d}",
                    "privacy_visibility": "portal",
                    "member_ids": [
                        Command.set(
                            agents[t * agents_per_team : (t + 1) * agents_per_team].ids
                        )
                    ],
                }
                for t in range(teams)
            ]
        )
        env["helpdesk.sla"].create(
            [
                {
                    "name": f"{team.name} P{priority}",
                    "team_id": team.id,
                    "priority": priority,
                    "time_hours": hours,
                    "stage_id": stages["solved"],
                }
                for team in team_records
                for priority, hours in SLA_HOURS.items()
            ]
        )
        env["helpdesk.tag"].create([{"name": name} for name in TAGS])
        portal_user = env["res.users"].create(
            {
                "name": f"{PREFIX} Portal Customer",
                "login": PORTAL_LOGIN,
                "password": PORTAL_LOGIN,
                "email": "bulk.portal.customer@customer.example.com",
                "group_ids": [Command.set(env.ref("base.group_portal").ids)],
            }
        )
        env.flush_all()
        insert_customers(env.cr, customers, team_records.company_id.id)
        env.cr.commit()
    agents = team_records.member_ids.sorted("id")
    portal_user = env["res.users"].search([("login", "=", PORTAL_LOGIN)])
    env.cr.execute(
        "SELECT count(*) FROM res_partner WHERE ref LIKE %s", [f"{REF_PREFIX}-C%"]
    )
    (customer_count,) = env.cr.fetchone()
    env.cr.execute(
        "SELECT count(*) FROM helpdesk_ticket WHERE team_id = ANY(%s)",
        [team_records.ids],
    )
    (ticket_count,) = env.cr.fetchone()
    return BulkData(
        team_ids=team_records.ids,
        agent_ids=agents.ids,
        agent_logins=agents.mapped("login"),
        stage_ids=stages,
        tag_ids=env["helpdesk.tag"].search([("name", "in", TAGS)]).ids,
        customer_count=customer_count,
        portal_partner_id=portal_user.partner_id.id,
        portal_login=PORTAL_LOGIN,
        portal_tickets=portal_tickets,
        tickets=ticket_count,
    )


def insert_customers(cr, count, company_id):
    """``count`` contacts with an email address (customers of 500 companies'
    domains), numbered by their ``ref``."""
    cr.execute(
        """
        INSERT INTO res_partner (
            name, complete_name, email, email_normalized, phone, ref, active,
            type, is_company, partner_share, lang, create_uid, write_uid,
            create_date, write_date)
        SELECT 'Bulk Customer ' || i, 'Bulk Customer ' || i,
            'bulk.customer' || i || '@customer' || (i %% 500) || '.example.com',
            'bulk.customer' || i || '@customer' || (i %% 500) || '.example.com',
            '+32 2 555 ' || lpad(i::text, 6, '0'), %(ref)s || i, TRUE,
            'contact', FALSE, TRUE, 'en_US', 1, 1, now() at time zone 'UTC',
            now() at time zone 'UTC'
        FROM generate_series(1, %(count)s) AS i
        """,
        {"ref": f"{REF_PREFIX}-C", "count": count},
    )
    # Foreign key checks reuse plans made while the tables were small (a
    # sequential scan per row): statistics invalidate them.
    cr.execute("ANALYZE res_partner")
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id WHERE ref LIKE %s",
        [f"{REF_PREFIX}-C%"],
    )


def insert_tickets(cr, data, first, last, messages=1):
    """Tickets number ``first`` to ``last`` (their ref is BK<number>), with
    their SLA statuses, tags, follower and messages."""
    stages = data.stage_ids
    cr.execute("SELECT COALESCE(max(id), 0) FROM helpdesk_ticket")
    (after,) = cr.fetchone()
    cr.execute("SELECT setseed(%s)", [(first % 1000) / 1000])
    cr.execute(
        """
        CREATE TEMP TABLE bulk_customer ON COMMIT DROP AS
        SELECT row_number() OVER (ORDER BY id) AS n, id, name, email, phone
        FROM res_partner WHERE ref LIKE %(ref)s;
        CREATE UNIQUE INDEX ON bulk_customer (n);
        """,
        {"ref": f"{REF_PREFIX}-C%"},
    )
    cr.execute(
        """
        INSERT INTO helpdesk_ticket (
            name, ref, description, active, team_id, company_id, user_id,
            partner_id, partner_name, partner_email, partner_phone, stage_id,
            is_closed, priority, intake_channel, is_unprocessable, is_spam,
            customer_unverified, ack_pending, assign_date, close_date,
            sla_deadline, create_uid, write_uid, create_date, write_date)
        SELECT
            (ARRAY['Printer shows error E', 'Invoice does not match order ',
                   'Cannot log in, account ', 'Parcel damaged, delivery ',
                   'Question about subscription '])[1 + s.i %% 5] || s.i,
            %(ref)s || s.i,
            '<p>Hello, since this morning the problem is back.</p>',
            TRUE, s.team_id, team.company_id, s.user_id,
            p.id, p.name, p.email, p.phone, s.stage_id,
            s.stage_id IN %(closed)s, s.priority, s.channel, FALSE, FALSE,
            FALSE, FALSE,
            CASE WHEN s.user_id IS NOT NULL THEN s.created + interval '1 hour' END,
            CASE WHEN s.stage_id IN %(closed)s
                 THEN s.created + s.r_close * s.sla_hours * interval '75 minutes'
                 END,
            CASE WHEN s.stage_id NOT IN %(closed)s
                 THEN s.created + s.sla_hours * interval '1 hour' END,
            1, 1, s.created, s.created
        FROM (
            SELECT g.i, g.created, g.r_close,
                (%(teams)s::int[])[1 + g.i %% %(team_count)s] AS team_id,
                CASE WHEN g.r_user < 0.2 THEN NULL
                     ELSE (%(agents)s::int[])[1 + (g.i %% %(team_count)s)
                          * %(per_team)s + floor(g.r_user * 10)::int %% %(per_team)s]
                END AS user_id,
                CASE WHEN g.i <= %(portal_tickets)s THEN NULL
                     ELSE 1 + floor(g.r_partner * %(customer_count)s)::int
                END AS customer_n,
                CASE WHEN g.r_open < CASE WHEN g.created > (now() at time zone 'UTC')
                                                - interval '30 days'
                                          THEN 0.5 ELSE 0.2 END
                     THEN CASE WHEN g.r_stage < 0.4 THEN %(new)s
                               WHEN g.r_stage < 0.8 THEN %(in_progress)s
                               ELSE %(waiting)s END
                     ELSE CASE WHEN g.r_stage < 0.9 THEN %(solved)s
                               ELSE %(cancelled)s END
                END AS stage_id,
                CASE WHEN g.r_prio < 0.5 THEN '0' WHEN g.r_prio < 0.8 THEN '1'
                     WHEN g.r_prio < 0.95 THEN '2' ELSE '3' END AS priority,
                CASE WHEN g.r_prio < 0.5 THEN 40 WHEN g.r_prio < 0.8 THEN 16
                     WHEN g.r_prio < 0.95 THEN 8 ELSE 4 END AS sla_hours,
                CASE WHEN g.r_channel < 0.6 THEN 'email'
                     WHEN g.r_channel < 0.85 THEN 'website'
                     WHEN g.r_channel < 0.95 THEN 'livechat' ELSE 'manual' END
                    AS channel
            FROM (
                SELECT i,
                    (now() at time zone 'UTC') - random() * interval '365 days'
                        AS created,
                    random() AS r_user, random() AS r_partner, random() AS r_open,
                    random() AS r_stage, random() AS r_prio, random() AS r_channel,
                    random() AS r_close
                FROM generate_series(%(first)s, %(last)s) AS i
            ) g
        ) s
        JOIN helpdesk_team team ON team.id = s.team_id
        LEFT JOIN bulk_customer c ON c.n = s.customer_n
        JOIN res_partner p ON p.id = COALESCE(c.id, %(portal_partner)s)
        ORDER BY s.created
        """,
        {
            "ref": REF_PREFIX,
            "closed": (stages["solved"], stages["cancelled"]),
            "teams": data.team_ids,
            "team_count": len(data.team_ids),
            "agents": data.agent_ids,
            "per_team": len(data.agent_ids) // len(data.team_ids),
            "portal_tickets": data.portal_tickets,
            "portal_partner": data.portal_partner_id,
            "customer_count": data.customer_count,
            "new": stages["new"],
            "in_progress": stages["in_progress"],
            "waiting": stages["waiting"],
            "solved": stages["solved"],
            "cancelled": stages["cancelled"],
            "first": first,
            "last": last,
        },
    )
    # Before the rows referring to the new tickets: see insert_customers.
    cr.execute("ANALYZE helpdesk_ticket")
    batch = """
        FROM helpdesk_ticket t
        WHERE t.id > %(after)s
    """
    bounds = {"after": after}
    # The team's policy of the ticket's priority: ongoing while open, reached
    # or failed once closed (a closed ticket closed in time reached it).
    cr.execute(
        f"""
        INSERT INTO helpdesk_sla_status (
            ticket_id, sla_id, team_id, company_id, priority, intake_channel, status,
            deadline, reached_datetime, paused_hours, create_uid, write_uid,
            create_date, write_date)
        SELECT t.id, sla.id, t.team_id, t.company_id, t.priority, t.intake_channel,
            CASE WHEN NOT t.is_closed THEN 'ongoing'
                 WHEN t.close_date <= deadline.at THEN 'reached'
                 ELSE 'failed' END,
            deadline.at,
            t.close_date, 0, 1, 1, t.create_date, t.create_date
        {
            batch.replace(
                "FROM helpdesk_ticket t",
                '''FROM helpdesk_ticket t
        JOIN helpdesk_sla sla
          ON sla.team_id = t.team_id AND sla.priority = t.priority
        CROSS JOIN LATERAL (
            SELECT t.create_date + sla.time_hours * interval '1 hour' AS at
        ) deadline''',
            )
        }
        """,
        bounds,
    )
    cr.execute(
        f"""
        INSERT INTO helpdesk_tag_helpdesk_ticket_rel
            (helpdesk_ticket_id, helpdesk_tag_id)
        SELECT t.id, (%(tags)s::int[])[1 + t.id %% %(tag_count)s]
        {batch} AND random() < 0.3
        """,
        {**bounds, "tags": data.tag_ids, "tag_count": len(data.tag_ids)},
    )
    # The customer follows their tickets, with the default subtype (Discussions).
    cr.execute(
        f"""
        INSERT INTO mail_followers (res_model, res_id, partner_id)
        SELECT 'helpdesk.ticket', t.id, t.partner_id
        {batch}
        """,
        bounds,
    )
    cr.execute("ANALYZE mail_followers")
    cr.execute(
        """
        INSERT INTO mail_followers_mail_message_subtype_rel
            (mail_followers_id, mail_message_subtype_id)
        SELECT follower.id, subtype.res_id
        FROM mail_followers follower, ir_model_data subtype
        WHERE follower.res_model = 'helpdesk.ticket'
          AND follower.res_id > %(after)s
          AND subtype.module = 'mail' AND subtype.name = 'mt_comment'
        """,
        bounds,
    )
    if messages:
        # The email that opened the ticket, then replies of agent and customer.
        cr.execute(
            f"""
            INSERT INTO mail_message (
                model, res_id, message_type, subtype_id, author_id,
                email_from, subject, body, message_id, date, create_uid,
                write_uid, create_date, write_date)
            SELECT 'helpdesk.ticket', t.id,
                CASE WHEN m.n %% 2 = 1 THEN 'email' ELSE 'comment' END,
                subtype.res_id,
                CASE WHEN m.n %% 2 = 1 THEN t.partner_id END,
                CASE WHEN m.n %% 2 = 1 THEN t.partner_email END,
                t.name,
                '<p>Message ' || m.n || ' about ' || t.name || '</p>',
                '<bulk-' || t.ref || '-' || m.n || '@customer.example.com>',
                t.create_date + (m.n - 1) * interval '2 hours',
                1, 1, t.create_date, t.create_date
            {
                batch.replace(
                    "FROM helpdesk_ticket t",
                    '''FROM helpdesk_ticket t
            CROSS JOIN generate_series(1, %(messages)s) AS m(n)
            JOIN ir_model_data subtype
              ON subtype.module = 'mail' AND subtype.name = 'mt_comment' ''',
                )
            }
            """,
            {**bounds, "messages": messages},
        )


def vacuum_analyze(database, tables=TICKET_TABLES):
    """What autovacuum does to a table after bulk inserts: statistics for the
    planner, and the visibility map that index-only scans rely on."""
    psql(database, f"VACUUM ANALYZE {', '.join(tables)}")


def generate_forum_posts(env, forum, posts=100_000, vacuum=True, author_uid=1):
    """Make ``forum`` hold ``posts`` bulk questions of ``author_uid`` (adding
    those missing), one in three with an accepted answer; commit, then VACUUM
    ANALYZE."""
    cr = env.cr
    cr.execute(
        "SELECT count(*) FROM forum_post WHERE forum_id = %s AND parent_id IS NULL"
        " AND name LIKE 'Bulk: %%'",
        [forum.id],
    )
    (existing,) = cr.fetchone()
    if existing >= posts:
        return existing
    subjects = [
        "How do I reset my password",
        "Printer shows error on startup",
        "Invoice does not match my order",
        "Parcel arrived damaged",
        "Cannot log in to my account",
        "How to change my subscription plan",
        "Refund for a cancelled order",
        "Delivery is late",
        "Export my data to a spreadsheet",
        "Two-factor authentication code not received",
    ]
    cr.execute(
        """
        WITH question AS (
            INSERT INTO forum_post (
                forum_id, name, content, plain_content, state, active, views,
                vote_count, favourite_count, child_count, is_correct,
                has_validated_answer, relevancy, last_activity_date,
                create_uid, write_uid, create_date, write_date)
            SELECT %(forum)s,
                'Bulk: ' || (%(subjects)s::text[])[1 + i %% %(subject_count)s]
                    || ' with the ' || (%(products)s::text[])[
                        1 + (i / %(subject_count)s) %% %(product_count)s]
                    || ' (' || i || ')',
                '<p>Question ' || i || ': since yesterday it does not work.</p>',
                'Question ' || i || ': since yesterday it does not work.',
                'active', TRUE, i %% 300, i %% 7, 0,
                CASE WHEN i %% 3 = 0 THEN 1 ELSE 0 END, FALSE, i %% 3 = 0,
                1.0, created, %(author)s, %(author)s, created, created
            FROM (
                SELECT i, (now() at time zone 'UTC') - random() * interval '3 years'
                    AS created
                FROM generate_series(%(first)s, %(last)s) AS i
            ) g
            RETURNING id, forum_id, create_date, child_count
        )
        INSERT INTO forum_post (
            forum_id, parent_id, content, plain_content, state, active, views,
            vote_count, favourite_count, child_count, is_correct,
            has_validated_answer, relevancy, last_activity_date,
            create_uid, write_uid, create_date, write_date)
        SELECT forum_id, id, '<p>Restart it, then try again.</p>',
            'Restart it, then try again.', 'active', TRUE, 0, 1, 0, 0, TRUE,
            FALSE, 1.0, create_date, %(author)s, %(author)s, create_date, create_date
        FROM question WHERE child_count = 1
        """,
        {
            "forum": forum.id,
            "author": author_uid,
            "subjects": subjects,
            "subject_count": len(subjects),
            "products": list(PRODUCTS),
            "product_count": len(PRODUCTS),
            "first": existing + 1,
            "last": posts,
        },
    )
    cr.commit()
    if vacuum:
        psql(cr.dbname, "VACUUM ANALYZE forum_post")
    return posts
