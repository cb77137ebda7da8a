import logging
import time
from imaplib import IMAP4, IMAP4_SSL

from odoo import fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import exception_to_unicode

from odoo.addons.mail.models.fetchmail import (
    MAIL_SERVER_DOMAIN,
    MAIL_TIMEOUT,
    OdooIMAP4,
)

_logger = logging.getLogger(__name__)
HELPDESK_MODEL = "helpdesk.ticket"
# Tries of an email that another process is storing at the same moment.
CONCURRENCY_TRIES = 3
# Seconds one fetch of a server may take: well within the time limits of
# Odoo's workers (120 s by default), which kill a longer "Fetch Now"; what
# is left waits for the next run.
FETCH_SECONDS = 30


class PeekIMAP4(OdooIMAP4):
    """IMAP connection that reads messages without flagging them.

    Odoo's fetches ``RFC822``, which flags the message ``\\Seen`` on the
    server, then unflags it: a process killed in between loses the message.
    ``BODY.PEEK[]`` leaves the flags alone; ``handled_message`` flags it once
    the transaction that stored it committed."""

    def retrieve_unread_messages(self):
        assert self._unread_messages is not None
        while self._unread_messages:
            num = self._unread_messages.pop()
            _result, data = self.fetch(num, "(BODY.PEEK[])")
            yield num, data[0][1]


class PeekIMAP4_SSL(PeekIMAP4, IMAP4_SSL):
    pass


class FetchmailServer(models.Model):
    _inherit = "fetchmail.server"

    def _connect__(self, allow_archived=False):  # noqa: PLW3201
        if self._get_connection_type() != "imap":
            return super()._connect__(allow_archived=allow_archived)
        # the same checks and login as Odoo's, on a connection that peeks
        self.ensure_one()
        if not allow_archived and not self.active:
            return super()._connect__(allow_archived=allow_archived)
        connection_class = PeekIMAP4_SSL if self.is_ssl else PeekIMAP4
        connection = connection_class(self.server, int(self.port), timeout=MAIL_TIMEOUT)
        self._imap_login__(connection)
        return connection

    def _fetch_mail(self, batch_limit=50):
        keeping = self.filtered(lambda server: server.object_id.model == HELPDESK_MODEL)
        result = super(FetchmailServer, self - keeping)._fetch_mail(
            batch_limit=batch_limit
        )
        for server in keeping:
            error = server._helpdesk_fetch(batch_limit)
            result = result or error
            if not self.env["ir.cron"]._commit_progress():
                break
        return result

    def _helpdesk_fetch(self, batch_limit):
        """Fetch the unread emails of a server that feeds the helpdesk, losing
        none: an email is flagged read (POP: deleted) only once the
        transaction that stored it committed; one the gateway fails on is
        left unread and fetched again later, a few times, then kept as an
        unprocessable ticket. A crash or a database outage at any moment
        leaves unread what was not stored, and an email stored but not
        flagged yet is recognised by its Message-ID when fetched again.

        Returns the exception that stopped the fetch, if any."""
        server = self.with_context(fetchmail_cron_running=True)
        if not server.try_lock_for_update(allow_referencing=True).filtered_domain(
            MAIL_SERVER_DOMAIN
        ):
            _logger.info("Skip mail server id %d (unavailable)", server.id)
            return None
        name = server.name  # not read again after the commits
        count = failed = 0
        deadline = time.monotonic() + FETCH_SECONDS
        connection = message_cr = None
        result = None
        try:
            connection = server._connect__()
            message_cr = self.env.registry.cursor()
            MailThread = (
                server.env["mail.thread"]
                .with_env(self.env(cr=message_cr))
                .with_context(default_fetchmail_server_id=server.id)
            )
            connection.check_unread_messages()
            Receipt = MailThread.env["helpdesk.mail.receipt"].sudo()
            for num, message in connection.retrieve_unread_messages():
                if Receipt._is_deferred(server, message):
                    continue
                count += 1
                if server._helpdesk_store(MailThread, message):
                    connection.handled_message(num)
                else:
                    failed += 1
                if count >= batch_limit or time.monotonic() > deadline:
                    break
            server.error_date = False
            server.error_message = False
        except Exception as error:  # noqa: BLE001 - kept on the server, reported
            result = error
            _logger.info("Failed to fetch mail from server %s.", name, exc_info=True)
            if not server.error_date:
                server.error_date = fields.Datetime.now()
                server.error_message = exception_to_unicode(error)
        finally:
            if message_cr is not None:
                message_cr.close()
            if connection:
                try:
                    connection.disconnect()
                except (OSError, IMAP4.abort):
                    _logger.warning("Failed to close the connection to %s.", name)
        _logger.info(
            "Fetched %d email(s) on server %s, %d left for later.", count, name, failed
        )
        server.write({"date": fields.Datetime.now()})
        # as Odoo's fetch: the server's state, before the next server
        self.env.cr.commit()  # pylint: disable=invalid-commit
        return result

    def _helpdesk_store(self, MailThread, message):
        """Process one email and commit; return whether it was stored (or
        kept aside) and may be flagged on the mail server.

        When the database is gone, the rollback fails too: the error
        propagates and the email stays unread."""
        cr = MailThread.env.cr
        for _try in range(CONCURRENCY_TRIES):
            try:
                MailThread.message_process(
                    self.object_id.model,
                    message,
                    save_original=self.original,
                    strip_attachments=not self.attach,
                )
                # the email is stored before it is flagged on the server
                cr.commit()  # pylint: disable=invalid-commit
                return True
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                # another process stored it or is storing it: look again on
                # a fresh snapshot, where it is a duplicate
                cr.rollback()
            except Exception as error:  # noqa: BLE001 - counted, then kept
                cr.rollback()
                _logger.info(
                    "Failed to process an email from server %s.",
                    self.name,
                    exc_info=True,
                )
                return self._helpdesk_failed(MailThread.env, message, error)
        return False

    def _helpdesk_failed(self, env, message, error):
        """Count a failure on ``message``; after the last retry, keep it as
        an unprocessable ticket. Return whether it may be flagged."""
        exhausted = (
            env["helpdesk.mail.receipt"]
            .sudo()
            ._record_failure(self.with_env(env), message, error)
        )
        # the count survives a crash in what follows
        env.cr.commit()  # pylint: disable=invalid-commit
        if not exhausted:
            return False
        Ticket = env["helpdesk.ticket"].sudo()
        team = Ticket._team_from_raw_email(message) or env[
            "mail.thread"
        ]._helpdesk_fallback_team(HELPDESK_MODEL, message)
        try:
            if not team:
                raise ValueError("no helpdesk team takes email")
            Ticket._quarantine_email(team, message, error)
            env.cr.commit()  # pylint: disable=invalid-commit
        except Exception:
            env.cr.rollback()
            # flagged all the same, so that it does not block the mailbox:
            # it stays on the mail server
            _logger.exception(
                "Email left read on server %s: it cannot be kept either",
                self.name,
            )
        return True
