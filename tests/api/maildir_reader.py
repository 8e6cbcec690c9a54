"""The test SMTP server's maildir as a recipient's mail program reads it (Python's email
package, independent of the product's code), for mail_read.py and mail_attachments.py."""
import email
import email.policy
import os


def messages_to(maildir, address):
    """Every message in MAILDIR/new whose To holds address (case-insensitive), in arrival
    order, as email.message.EmailMessage objects."""
    address = address.lower()
    new = os.path.join(maildir, "new")
    for name in sorted(os.listdir(new), key=lambda n: os.stat(os.path.join(new, n)).st_mtime_ns):
        with open(os.path.join(new, name), "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        if address in str(msg.get("To", "")).lower():
            yield msg
