from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import html2plaintext

from odoo.addons.helpdesk_intake.tools import mail_content

from . import mail_content_samples as samples
from .common import HelpdeskIntakeCommon


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestMailContent(HelpdeskIntakeCommon):
    """Emails as Outlook, Apple Mail, Gmail, phones and corporate gateways
    send them, through the mail gateway."""

    def receive(self, message):
        tickets = self.process(message.as_bytes())
        self.assertEqual(len(tickets), 1)
        return tickets

    def first_email(self, ticket):
        return ticket.message_ids.filtered(lambda m: m.message_type == "email")

    def description_text(self, ticket):
        return html2plaintext(ticket.description or "")

    # ------------------------------------------------------------
    # OUTLOOK TNEF
    # ------------------------------------------------------------

    def test_tnef_files_become_attachments(self):
        ticket = self.receive(
            samples.outlook_tnef_email(
                self.alias_a, samples.tnef_sample("two-files.tnef")
            )
        )
        files = self.first_email(ticket).attachment_ids
        self.assertEqual(
            sorted(files.mapped("name")), ["AUTHORS", "README", "winmail.dat"]
        )
        authors = files.filtered(lambda a: a.name == "AUTHORS")
        self.assertIn(b"Authors of tnef", authors.raw)
        self.assertNotIn("could not be read", self.description_text(ticket))

    def test_tnef_body_becomes_description(self):
        ticket = self.receive(
            samples.outlook_tnef_email(self.alias_a, samples.tnef_sample("body.tnef"))
        )
        self.assertIn("THE BILL OF RIGHTS", self.description_text(ticket))
        self.assertIn(
            "winmail.dat", self.first_email(ticket).attachment_ids.mapped("name")
        )

    def test_tnef_without_library_keeps_winmail_and_says_so(self):
        with patch.object(mail_content, "tnefparse", None):
            ticket = self.receive(
                samples.outlook_tnef_email(
                    self.alias_a, samples.tnef_sample("two-files.tnef")
                )
            )
        self.assertEqual(
            self.first_email(ticket).attachment_ids.mapped("name"), ["winmail.dat"]
        )
        self.assertIn("winmail.dat", self.description_text(ticket))

    def test_tnef_rtf_only_body_becomes_description(self):
        ticket = self.receive(
            samples.outlook_tnef_email(self.alias_a, samples.tnef_sample("rtf.tnef"))
        )
        text = self.description_text(ticket)
        self.assertIn("ahakg'akgq[arja'kmba'hgmpgkjaqpgbmdvb", text)
        self.assertIn("Senior Engineer/QADirector Team", text)
        self.assertNotIn("\\par", text, "no RTF markup is left")
        self.assertNotIn("could not be read", text)
        self.assertIn(
            "winmail.dat", self.first_email(ticket).attachment_ids.mapped("name")
        )

    def test_tnef_rtf_only_body_without_library_says_so(self):
        with patch.object(mail_content, "decompress_rtf", None):
            ticket = self.receive(
                samples.outlook_tnef_email(
                    self.alias_a, samples.tnef_sample("rtf.tnef")
                )
            )
        text = self.description_text(ticket)
        self.assertIn("could not be read", text)
        self.assertIn("winmail.dat", text)
        self.assertNotIn("Senior Engineer", text)
        self.assertIn(
            "winmail.dat", self.first_email(ticket).attachment_ids.mapped("name")
        )

    def test_tnef_garbage_keeps_the_file(self):
        # a truncated winmail.dat (only its signature), and no TNEF at all
        for content in (b"\x78\x9f\x3e\x22garbage", b"garbage"):
            with self.subTest(content=content):
                ticket = self.receive(samples.outlook_tnef_email(self.alias_a, content))
                self.assertEqual(
                    self.first_email(ticket).attachment_ids.mapped("name"),
                    ["winmail.dat"],
                )
                self.assertIn("could not be read", self.description_text(ticket))

    # ------------------------------------------------------------
    # S/MIME
    # ------------------------------------------------------------

    def test_smime_detached_signature_shows_content(self):
        ticket = self.receive(
            samples.smime_signed_email(self.alias_a, "My badge does not open door 3.")
        )
        self.assertIn("My badge does not open door 3.", self.description_text(ticket))
        self.assertIn(
            "smime.p7s", self.first_email(ticket).attachment_ids.mapped("name")
        )
        self.assertNotIn("MII", ticket.description)

    def test_smime_opaque_signed_is_unwrapped(self):
        ticket = self.receive(
            samples.smime_signed_email(
                self.alias_a,
                "My badge does not open door 3.",
                opaque=True,
                attachment=("badge.pdf", b"%PDF-1.4 badge"),
            )
        )
        self.assertIn("My badge does not open door 3.", self.description_text(ticket))
        names = self.first_email(ticket).attachment_ids.mapped("name")
        self.assertIn("badge.pdf", names)
        self.assertIn("smime.p7m", names, "the signed original is kept")

    def test_smime_encrypted_says_so(self):
        ticket = self.receive(samples.smime_encrypted_email(self.alias_a))
        self.assertIn(
            "Encrypted email: cannot be read without the key",
            self.description_text(ticket),
        )
        self.assertEqual(
            self.first_email(ticket).attachment_ids.mapped("name"), ["smime.p7m"]
        )

    # ------------------------------------------------------------
    # CALENDAR INVITATIONS
    # ------------------------------------------------------------

    def test_invitation_in_team_time_zone(self):
        self.team.resource_calendar_id.tz = "Europe/Madrid"
        ticket = self.receive(samples.invitation_email(self.alias_a))
        text = self.description_text(ticket)
        self.assertIn("Meeting invitation", text)
        self.assertIn("Printer roll-out review", text)
        self.assertIn("2:00", text, "13:00 UTC is 14:00 in Madrid in March")
        self.assertIn("Europe/Madrid", text)
        self.assertIn("chuck@customer.test", text)
        self.assertIn("Room 4", text)
        self.assertIn(
            "invitation.ics", self.first_email(ticket).attachment_ids.mapped("name")
        )

    def test_invitation_cancelled(self):
        ticket = self.receive(samples.invitation_email(self.alias_a, method="CANCEL"))
        self.assertIn("Meeting cancelled", self.description_text(ticket))

    # ------------------------------------------------------------
    # SIGNATURES AND QUOTED HISTORY
    # ------------------------------------------------------------

    def test_quoted_history_and_signature_left_to_the_chatter(self):
        body = (
            "My printer still does not print.\n\n-- \nChuck Customer\nACME\n\n"
            "El lun, 9 mar 2026 a las 17:02, Arthur <arthur@test.mycompany.com> "
            "escribió:\n> Did you restart it?\n"
        )
        ticket = self.deliver(body=body)
        text = self.description_text(ticket)
        self.assertIn("My printer still does not print.", text)
        self.assertNotIn("Did you restart it?", text)
        self.assertNotIn("ACME", text)
        chatter = html2plaintext(self.first_email(ticket).body)
        self.assertIn("Did you restart it?", chatter)
        self.assertIn("ACME", chatter)

    def test_interleaved_answers_are_kept(self):
        html = (
            "<div>Answers below.</div>"
            "<blockquote>Which model is it?</blockquote><div>An LX-200.</div>"
            "<blockquote>Since when?</blockquote><div>Since Monday.</div>"
            "<div>On Mon, 9 Mar 2026 at 17:02, Arthur wrote:</div>"
            "<blockquote>Hello, a few questions.</blockquote>"
        )
        ticket = self.deliver(body="", html=html)
        text = self.description_text(ticket)
        for kept in (
            "Which model is it?",
            "An LX-200.",
            "Since when?",
            "Since Monday.",
        ):
            self.assertIn(kept, text)
        self.assertNotIn("a few questions", text)

    def test_forward_by_employee_is_not_stripped(self):
        body = (
            "Please help this customer.\n\n________________________________\n"
            "From: Jane Customer <jane@customer.test>\nSent: Monday, March 9\n"
            "Subject: Printer\n\nThe printer is on fire.\n"
        )
        ticket = self.deliver(email_from=self.user_employee.email_formatted, body=body)
        self.assertIn("The printer is on fire.", self.description_text(ticket))

    # ------------------------------------------------------------
    # INLINE IMAGES
    # ------------------------------------------------------------

    def test_inline_images_render_and_logos_are_not_listed(self):
        with self.mock_mail_gateway():
            ticket = self.receive(samples.inline_images_email(self.alias_a))
        message = self.first_email(ticket)
        images = message.attachment_ids
        self.assertEqual(len(images), 2, "both images are kept")
        for image in images:
            self.assertIn(f"/web/image/{image.id}", message.body)
        self.assertIn("/web/image/", ticket.description)
        self.assertNotIn("cid:", ticket.description)
        self.assertEqual(
            [file["name"] for file in ticket.email_files["kept"]], ["photo.png"]
        )
        self.assertEqual(
            ticket._get_mail_thread_data_attachments().mapped("name"), ["photo.png"]
        )

    def test_small_attached_image_is_listed(self):
        """A small image sent as a file, not shown in the text, is a file."""
        ticket = self.deliver(
            attachments=[("icon.png", samples.png(2000), "image/png")]
        )
        self.assertEqual(
            ticket._get_mail_thread_data_attachments().mapped("name"), ["icon.png"]
        )
        self.assertEqual(ticket.email_files["kept"][0]["name"], "icon.png")

    # ------------------------------------------------------------
    # SIZE LIMIT AND ACKNOWLEDGEMENT
    # ------------------------------------------------------------

    def test_oversize_email_keeps_text_and_lists_refused_files(self):
        self.team.max_email_size = 1
        with self.mock_mail_gateway():
            ticket = self.receive(
                samples.big_email(
                    self.alias_a,
                    [
                        ("small.log", 400_000),
                        ("huge.log", 900_000),
                        ("tail.log", 300_000),
                    ],
                )
            )
        self.assertIn("logs of the crash", self.description_text(ticket))
        self.assertEqual(
            sorted(self.first_email(ticket).attachment_ids.mapped("name")),
            ["small.log", "tail.log"],
        )
        self.assertEqual(
            ticket.email_refused_files, [{"name": "huge.log", "size": 900_000}]
        )
        note = ticket.message_ids.filtered(
            lambda m: (
                m.subtype_id == self.env.ref("mail.mt_note") and "huge.log" in m.body
            )
        )
        self.assertEqual(len(note), 1)
        (ack,) = self.ack_mails(ticket)
        body = html2plaintext(ack["body"])
        self.assertIn("These files were not received", body)
        self.assertIn("huge.log (878.9 KB)", body)
        self.assertIn("small.log (390.6 KB)", body)

    def test_email_within_limit_keeps_everything(self):
        self.team.max_email_size = 1
        with self.mock_mail_gateway():
            ticket = self.receive(
                samples.big_email(
                    self.alias_a, [("a.log", 500_000), ("b.log", 500_000)]
                )
            )
        self.assertFalse(ticket.email_refused_files)
        (ack,) = self.ack_mails(ticket)
        body = html2plaintext(ack["body"])
        self.assertIn("We received these files", body)
        self.assertNotIn("not received", body)

    def test_acknowledgement_without_files_lists_nothing(self):
        with self.mock_mail_gateway():
            ticket = self.deliver()
        (ack,) = self.ack_mails(ticket)
        self.assertNotIn("files", html2plaintext(ack["body"]))

    # ------------------------------------------------------------
    # FORWARD AS ATTACHMENT
    # ------------------------------------------------------------

    def test_forward_as_attachment_by_employee(self):
        ticket = self.receive(
            samples.forward_as_attachment_email(
                self.alias_a, self.user_employee.email_formatted, "jane@customer.test"
            )
        )
        self.assertEqual(ticket.partner_id.email, "jane@customer.test")
        self.assertEqual(ticket.partner_id.name, "Jane Customer")
        self.assertIn("invoice 42 is wrong", self.description_text(ticket))
        self.assertNotIn("Could you look at this one?", self.description_text(ticket))
        chatter = html2plaintext(self.first_email(ticket).body)
        self.assertIn("Could you look at this one?", chatter)
        self.assertIn("invoice 42 is wrong", chatter)
        names = self.first_email(ticket).attachment_ids.mapped("name")
        self.assertIn("inv42.pdf", names)
        self.assertIn("Invoice is wrong.eml", names)
        self.assertEqual(self.first_email(ticket).author_id, self.partner_employee)

    def test_attached_email_from_customer_keeps_the_customer(self):
        ticket = self.receive(
            samples.forward_as_attachment_email(
                self.alias_a, samples.CUSTOMER, "jane@customer.test"
            )
        )
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertIn("Could you look at this one?", self.description_text(ticket))
