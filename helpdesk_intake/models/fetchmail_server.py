from imaplib import IMAP4_SSL

from odoo import models

from odoo.addons.mail.models.fetchmail import MAIL_TIMEOUT, OdooIMAP4


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
