import email
from email.policy import SMTP

from odoo.tests import BaseCase, tagged
from odoo.tools import html2plaintext

from odoo.addons.helpdesk_intake.tools.mail_content import (
    expand_email,
    human_size,
    strip_quoted_history,
    strip_quoted_text,
)

from . import mail_content_samples as samples

# Attribution lines of common mail clients, per language.
ATTRIBUTIONS = {
    "gmail en": "On Mon, 9 Mar 2026 at 17:02, Arthur <arthur@help.test> wrote:",
    "gmail es": "El lun, 9 mar 2026 a las 17:02, Arthur (<arthur@help.test>) escribió:",
    "apple fr": "Le 9 mars 2026 à 17:02, Arthur <arthur@help.test> a écrit :",
    "gmail de": "Am Mo., 9. März 2026 um 17:02 Uhr schrieb Arthur <arthur@help.test>:",
    "gmail pt": "Em seg., 9 de mar. de 2026 às 17:02, Arthur <a@help.test> escreveu:",
    "outlook en": "-----Original Message-----",
    "outlook es": "-----Mensaje original-----",
    "outlook de": "-----Ursprüngliche Nachricht-----",
}
OUTLOOK_HEADERS = {
    "en": "From: Arthur <arthur@help.test>\nSent: Monday, March 9, 2026 5:02 PM",
    "es": "De: Arthur <arthur@help.test>\nEnviado el: lunes, 9 de marzo de 2026",
    "fr": "De : Arthur <arthur@help.test>\nEnvoyé : lundi 9 mars 2026 17:02",
    "de": "Von: Arthur <arthur@help.test>\nGesendet: Montag, 9. März 2026",
    "pt": "De: Arthur <arthur@help.test>\nEnviado: segunda-feira, 9 de março",
}


@tagged("post_install", "-at_install", "helpdesk_intake")
class TestStripQuotedHistory(BaseCase):
    def test_trailing_quote_goes_in_every_language(self):
        for client, attribution in ATTRIBUTIONS.items():
            with self.subTest(client=client):
                text = f"Still broken.\n\n{attribution}\n> Did you restart it?\n"
                self.assertEqual(strip_quoted_text(text), "Still broken.\n")

    def test_outlook_header_block_goes_in_every_language(self):
        for lang, header in OUTLOOK_HEADERS.items():
            with self.subTest(lang=lang):
                text = f"Still broken.\n\n{header}\nSubject: Printer\n\nRestart it.\n"
                self.assertEqual(strip_quoted_text(text), "Still broken.\n")
                html = (
                    "<p>Still broken.</p><hr><div>"
                    + header.replace("\n", "<br>")
                    + "</div><p>Restart it.</p>"
                )
                self.assertEqual(
                    html2plaintext(strip_quoted_history(html)).strip(), "Still broken."
                )

    def test_attribution_wrapped_on_two_lines(self):
        text = (
            "Obrigado.\n\nEm seg., 9 de mar. de 2026 às 17:02, Arthur <a@help.test>\n"
            "escreveu:\n> Reinicie.\n"
        )
        self.assertEqual(strip_quoted_text(text), "Obrigado.\n")

    def test_signature_goes(self):
        self.assertEqual(
            strip_quoted_text("Still broken.\n-- \nChuck\nACME Corp\n"),
            "Still broken.\n",
        )
        html = "<p>Still broken.</p><p>-- <br>Chuck<br>ACME Corp</p>"
        self.assertEqual(
            html2plaintext(strip_quoted_history(html)).strip(), "Still broken."
        )

    def test_interleaved_replies_stay(self):
        text = (
            "See my answers.\n> Which model?\nLX-200.\n> Since when?\nMonday.\n\n"
            "On Mon, 9 Mar 2026, Arthur wrote:\n> Questions.\n"
        )
        self.assertEqual(
            strip_quoted_text(text),
            "See my answers.\n> Which model?\nLX-200.\n> Since when?\nMonday.\n",
        )
        html = (
            "<div>See my answers.</div><blockquote>Which model?</blockquote>"
            "<div>LX-200.</div><blockquote>Since when?</blockquote><div>Monday.</div>"
        )
        self.assertEqual(strip_quoted_history(html), html, "no trailing quote")

    def test_text_after_a_quote_is_not_a_quote(self):
        text = "On Mon, 9 Mar 2026, Arthur wrote:\n> Restart it.\nI did, no change.\n"
        self.assertEqual(strip_quoted_text(text), text)

    def test_nothing_left_keeps_everything(self):
        for text in (
            "On Mon, 9 Mar 2026, Arthur wrote:\n> Restart it.\n",
            "-- \nChuck\n",
            "> only a quote\n",
        ):
            with self.subTest(text=text):
                self.assertEqual(strip_quoted_text(text), text)
        html = "<blockquote>only a quote</blockquote>"
        self.assertEqual(strip_quoted_history(html), html)

    def test_nested_html_quote(self):
        html = (
            '<div dir="ltr"><div>Still broken.</div><br><div class="gmail_quote">'
            "<div>On Mon, 9 Mar 2026 at 17:02 Arthur &lt;a@help.test&gt; wrote:"
            "<br></div><blockquote><div>Restart it.</div>"
            "<blockquote>Old</blockquote></blockquote>"
            "</div></div>"
        )
        cleaned = strip_quoted_history(html)
        self.assertIn("Still broken.", cleaned)
        self.assertNotIn("wrote", cleaned)
        self.assertNotIn("Restart", cleaned)

    def test_bad_input(self):
        for body in ("", "   ", None, "plain words, no markup"):
            with self.subTest(body=body):
                self.assertEqual(strip_quoted_history(body), body)


@tagged("post_install", "-at_install", "helpdesk_intake")
class TestExpandEmail(BaseCase):
    def parse(self, message):
        return email.message_from_bytes(message.as_bytes(), policy=SMTP)

    def test_plain_email_is_untouched(self):
        message = self.parse(samples.big_email("help@help.test", [("a.log", 10)]))
        result = expand_email(message)
        self.assertFalse(result.changed)
        self.assertIs(result.message, message)

    def test_tnef_is_opened_and_kept(self):
        message = self.parse(
            samples.outlook_tnef_email(
                "help@help.test", samples.tnef_sample("two-files.tnef")
            )
        )
        result = expand_email(message)
        self.assertTrue(result.changed)
        names = [part.get_filename() for part in result.message.walk()]
        self.assertEqual(
            [name for name in names if name], ["AUTHORS", "README", "winmail.dat"]
        )
        self.assertEqual(result.message["Subject"], "Order form attached")
        # the email received is left as it was
        self.assertEqual(
            [p.get_filename() for p in message.walk() if p.get_filename()],
            ["winmail.dat"],
        )

    def test_opaque_signed_root_keeps_headers(self):
        message = self.parse(
            samples.smime_signed_email("help@help.test", "Door 3.", opaque=True)
        )
        result = expand_email(message)
        self.assertIn("chuck@customer.test", result.message["From"])
        texts = [
            part.get_content()
            for part in result.message.walk()
            if part.get_content_type() == "text/plain"
        ]
        self.assertEqual([text.strip() for text in texts], ["Door 3."])

    def test_encrypted_is_flagged(self):
        result = expand_email(self.parse(samples.smime_encrypted_email("h@help.test")))
        self.assertTrue(result.encrypted)

    def test_broken_smime_is_kept_as_is(self):
        message = samples.new_email("help@help.test", "Broken")
        message.set_content(
            b"not asn.1 at all",
            maintype="application",
            subtype="pkcs7-mime",
            filename="smime.p7m",
        )
        result = expand_email(self.parse(message))
        self.assertFalse(result.encrypted)
        self.assertFalse(result.changed)

    def test_calendar_events(self):
        result = expand_email(self.parse(samples.invitation_email("h@help.test")))
        (event,) = result.events
        self.assertEqual(event["method"], "REQUEST")
        self.assertEqual(event["summary"], "Printer roll-out review")
        self.assertEqual(event["organizer"], "Chuck Customer <chuck@customer.test>")
        self.assertEqual(event["start"].hour, 13)

    def test_human_size(self):
        self.assertEqual(human_size(980), "980 B")
        self.assertEqual(human_size(1536), "1.5 KB")
        self.assertEqual(human_size(25 * 1024 * 1024), "25.0 MB")
        self.assertEqual(human_size(3 * 1024**3), "3072.0 MB")
