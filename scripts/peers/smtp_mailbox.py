"""The tests' aiosmtpd handler: a maildir like aiosmtpd.handlers.Mailbox, except that it
refuses, with a permanent 550 5.1.1 at RCPT TO, every recipient whose local part starts with
"bounce" (a hard bounce the product must record)."""
from aiosmtpd.handlers import Mailbox


class RefusingMailbox(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@", 1)[0].lower().startswith("bounce"):
            return "550 5.1.1 <%s>: recipient address rejected: user unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"
