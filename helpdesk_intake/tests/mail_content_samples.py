"""Emails in the shapes real mail clients send, built with Python's ``email``
package: Outlook's winmail.dat, S/MIME signed and encrypted, calendar
invitations, inline images and emails attached whole. The TNEF samples in
``data/`` come from the source distribution of tnefparse (LGPL)."""

import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from pathlib import Path

from asn1crypto import algos, cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

DATA = Path(__file__).parent / "data"
CUSTOMER = '"Chuck Customer" <chuck@customer.test>'
# The smallest valid PNG, padded to the given size: an image whose bytes
# only matter by their number.
PNG_HEADER = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000000000200015e2e5b6b0000000049454e44ae426082"
)


def tnef_sample(name):
    return (DATA / name).read_bytes()


def png(size):
    return PNG_HEADER + b"\0" * max(0, size - len(PNG_HEADER))


def new_email(to, subject, email_from=CUSTOMER, msg_id=None):
    message = EmailMessage(policy=SMTP)
    message["From"] = email_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Tue, 10 Mar 2026 09:12:41 +0100"
    message["Message-ID"] = msg_id or make_msgid(domain="mail.customer.test")
    return message


def outlook_tnef_email(to, tnef, subject="Order form attached"):
    """An Outlook email whose content is all in winmail.dat."""
    message = new_email(to, subject)
    message.set_content("")
    message.add_attachment(
        tnef, maintype="application", subtype="ms-tnef", filename="winmail.dat"
    )
    return message


def _certificate():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.EMAIL_ADDRESS, "chuck@customer.test")])
    now = datetime.datetime(2026, 1, 1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _signed_content(text, attachment=None):
    content = EmailMessage(policy=SMTP)
    content.set_content(text)
    if attachment:
        content.add_attachment(
            attachment[1], maintype="application", subtype="pdf", filename=attachment[0]
        )
    return content


def smime_signed_email(to, text, opaque=False, attachment=None):
    """An S/MIME signed email, really signed: ``multipart/signed`` with a
    detached signature, or, ``opaque``, the content inside the signature."""
    cert, key = _certificate()
    content = _signed_content(text, attachment)
    data = content.as_bytes(policy=SMTP)
    builder = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(data)
        .add_signer(cert, key, hashes.SHA256())
    )
    message = new_email(to, "Signed request")
    if opaque:
        signed = builder.sign(serialization.Encoding.DER, [])
        message.set_content(
            signed,
            maintype="application",
            subtype="pkcs7-mime",
            filename="smime.p7m",
            params={"smime-type": "signed-data"},
        )
        return message
    signature = builder.sign(
        serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature]
    )
    message.make_mixed()
    message.replace_header(
        "Content-Type",
        'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256',
    )
    signature_part = EmailMessage(policy=SMTP)
    signature_part.set_content(
        signature,
        maintype="application",
        subtype="pkcs7-signature",
        filename="smime.p7s",
    )
    message.attach(content)
    message.attach(signature_part)
    return message


def smime_encrypted_email(to):
    """An S/MIME encrypted email (enveloped data) for a key the helpdesk has
    not."""
    enveloped = cms.ContentInfo(
        {
            "content_type": "enveloped_data",
            "content": cms.EnvelopedData(
                {
                    "version": "v0",
                    "recipient_infos": [],
                    "encrypted_content_info": {
                        "content_type": "data",
                        "content_encryption_algorithm": algos.EncryptionAlgorithm(
                            {"algorithm": "aes128_cbc", "parameters": b"\x01" * 16}
                        ),
                        "encrypted_content": b"\x8f" * 64,
                    },
                }
            ),
        }
    )
    message = new_email(to, "Confidential")
    message.set_content(
        enveloped.dump(),
        maintype="application",
        subtype="pkcs7-mime",
        filename="smime.p7m",
        params={"smime-type": "enveloped-data"},
    )
    return message


def invitation_email(to, method="REQUEST", start="20260310T130000Z"):
    """An Outlook-style invitation: text, HTML and the calendar as
    alternatives."""
    ics = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0//EN\r\n"
        f"VERSION:2.0\r\nMETHOD:{method}\r\nBEGIN:VEVENT\r\n"
        "UID:040000008200E00074C5B7101A82E008@customer.test\r\n"
        "ORGANIZER;CN=Chuck Customer:mailto:chuck@customer.test\r\n"
        f"DTSTART:{start}\r\nDTEND:20260310T140000Z\r\n"
        "SUMMARY:Printer roll-out review\r\nLOCATION:Room 4\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    message = new_email(to, "Invitation: Printer roll-out review")
    message.set_content("Let us review the printer roll-out.")
    message.add_alternative(
        "<p>Let us review the printer roll-out.</p>", subtype="html"
    )
    message.add_alternative(
        ics.encode(), maintype="text", subtype="calendar", params={"method": method}
    )
    return message


def inline_images_email(to, logo_size=3000, photo_size=60000):
    """An HTML email showing a photo and, in its signature, a small logo,
    both as ``cid:`` images."""
    message = new_email(to, "Error on the display")
    message.set_content("See the photo of the display.")
    message.add_alternative(
        '<p>See the photo of the display:</p><p><img src="cid:photo@customer.test"></p>'
        '<p>-- <br>Chuck<br><img src="cid:logo@customer.test"></p>',
        subtype="html",
    )
    html = message.get_payload()[1]
    html.add_related(
        png(photo_size),
        "image",
        "png",
        cid="<photo@customer.test>",
        filename="photo.png",
    )
    html.add_related(png(logo_size), "image", "png", cid="<logo@customer.test>")
    return message


def forward_as_attachment_email(to, employee, customer_email):
    """An employee forwards a customer's email as an attachment."""
    attached = new_email(
        "employee@test.mycompany.com",
        "Invoice is wrong",
        email_from=f'"Jane Customer" <{customer_email}>',
    )
    attached.set_content("Hello, the total of invoice 42 is wrong.\nJane")
    attached.add_attachment(
        b"%PDF-1.4 invoice", maintype="application", subtype="pdf", filename="inv42.pdf"
    )
    message = new_email(to, "Fwd: Invoice is wrong", email_from=employee)
    message.set_content("Could you look at this one?")
    message.add_attachment(attached)
    return message


def big_email(to, files):
    """An email carrying ``files``: ``(name, size)`` pairs."""
    message = new_email(to, "Logs of the crash")
    message.set_content("Here are the logs of the crash.")
    for name, size in files:
        message.add_attachment(
            b"x" * size, maintype="application", subtype="octet-stream", filename=name
        )
    return message
