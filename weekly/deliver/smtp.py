"""Sending one message over SMTP, with every failure turned into one line a user can act on."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Mapping
from contextlib import suppress
from email.message import EmailMessage
from email.utils import getaddresses
from typing import TYPE_CHECKING

from weekly.config import SmtpSection
from weekly.errors import DeliveryError, WeeklyError
from weekly.scrub import scrub_text, secret_from

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


class _KeepsDataReply(smtplib.SMTP):
    """Keeps the server's reply to DATA ("250 2.0.0 Ok: queued as 1234"), which sendmail()
    drops: it is the receipt the send ledger records."""

    data_reply: tuple[int, bytes] | None = None
    in_data = False  # from the DATA command until its final reply

    def data(self, msg: ReadableBuffer | str) -> tuple[int, bytes]:
        self.in_data = True
        reply = super().data(msg)
        self.in_data = False
        self.data_reply = reply
        return reply


class _SslClient(_KeepsDataReply, smtplib.SMTP_SSL):
    pass


def send(message: EmailMessage, smtp: SmtpSection, env: Mapping[str, str]) -> str:
    """Send `message`; return the server's reply to DATA, e.g. `250 2.0.0 Ok: queued as 1234`."""
    secret = password(smtp, env)
    client: list[_KeepsDataReply] = []
    try:
        # The reply goes to the ledger and the terminal: a relay that quotes the password
        # in it must not put it there.
        return scrub_text(_send(message, smtp, secret, client), (secret,) if secret else ())
    except (smtplib.SMTPException, OSError) as exc:
        raise _failure(exc, smtp, secret, client) from None


def log_in(smtp: SmtpSection, env: Mapping[str, str]) -> None:
    """Connect, STARTTLS and log in as a send would, then QUIT: no mail is sent. Fails
    with the DeliveryError a send would (`weekly doctor`'s check)."""
    secret = password(smtp, env)
    try:
        client = _logged_in(smtp, secret, [])
    except (smtplib.SMTPException, OSError) as exc:
        raise _failure(exc, smtp, secret, []) from None
    _quit(client)


def _failure(
    exc: smtplib.SMTPException | OSError,
    smtp: SmtpSection,
    secret: str | None,
    client: list[_KeepsDataReply],
) -> DeliveryError:
    """The one line a user is told of a failed send or login, without the password."""
    transient, what = _describe(exc, smtp)
    line = " ".join(f"SMTP server {smtp.host}:{smtp.port} {what}".split())  # one line
    if secret:  # a relay may quote the password it was given in its refusal
        line = scrub_text(line, (secret,))
    broke_in_data = bool(client and client[0].in_data)
    if broke_in_data and not isinstance(exc, smtplib.SMTPResponseException):
        return DeliveryError(
            f"{line}, after the report was handed over: it may have been delivered",
            transient=False,
            maybe_delivered=True,
        )
    return DeliveryError(line, transient=transient)


def password(smtp: SmtpSection, env: Mapping[str, str]) -> str | None:
    """The SMTP password from the environment; a missing one is the user's to fix (exit 2)."""
    if not smtp.user:
        return None
    if not smtp.password_env:
        raise WeeklyError(
            f"delivery.smtp.user is {smtp.user!r} but delivery.smtp.password_env is not set: "
            "name the environment variable that holds the SMTP password"
        )
    password = secret_from(env, smtp.password_env)
    if not password:
        raise WeeklyError(
            f"{smtp.password_env} is not set: export the SMTP password for {smtp.user} in it "
            "(delivery.smtp.password_env)"
        )
    return password


def _logged_in(
    smtp: SmtpSection, password: str | None, opened: list[_KeepsDataReply]
) -> _KeepsDataReply:
    """A connection that said EHLO, STARTTLS and logged in as configured: ready for a mail."""
    client: _KeepsDataReply
    if smtp.security == "ssl":
        client = _SslClient(
            smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=ssl.create_default_context()
        )
    else:
        client = _KeepsDataReply(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
    opened.append(client)  # the caller asks it, on an error, how far the send got
    try:
        # What sendmail(), starttls() or login() would say first anyway; said here, a check
        # without TLS or a login still hears the server answer more than its greeting.
        client.ehlo_or_helo_if_needed()
        if smtp.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if smtp.user and password is not None:
            client.login(smtp.user, password)
    except BaseException:
        client.close()  # not QUIT: a server that just timed out would make us wait again
        raise
    return client


def _send(
    message: EmailMessage, smtp: SmtpSection, password: str | None, opened: list[_KeepsDataReply]
) -> str:
    client = _logged_in(smtp, password, opened)
    try:
        # Not send_message(): its generator turns a body line "From …" into ">From …"
        # (python/cpython#89462), so readers would get a text the archived .eml lacks.
        recipients = [address for _, address in getaddresses(message.get_all("To", []))]
        body = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        refused = client.sendmail(str(message["From"]), recipients, body)
    except BaseException:
        client.close()
        raise
    # Once DATA is answered the mail is on its way: a failing QUIT must not turn that into
    # an error, or the caller would send the same report again.
    _quit(client)
    code, text = client.data_reply or (0, b"no reply to DATA recorded")
    receipt = f"{code} {_text(text)}"
    if refused:  # some recipients refused, the rest accepted: sent, but say who missed it
        receipt += "; refused: " + ", ".join(
            f"{rcpt} ({c} {_text(t)})" for rcpt, (c, t) in refused.items()
        )
    return receipt


def _quit(client: smtplib.SMTP) -> None:
    with suppress(smtplib.SMTPException, OSError):
        client.quit()
    client.close()


def _describe(exc: smtplib.SMTPException | OSError, smtp: SmtpSection) -> tuple[bool, str]:
    """(transient, what happened) for a failed send, worded to follow `SMTP server host:port`."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        variable = smtp.password_env or "delivery.smtp.password_env"
        return _is_transient(exc.smtp_code), (
            f"refused the login for user {smtp.user}: check {variable} "
            f"(answered {exc.smtp_code} {_text(exc.smtp_error)})"
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = exc.recipients.items()
        listed = ", ".join(f"{rcpt} ({code} {_text(text)})" for rcpt, (code, text) in replies)
        transient = all(_is_transient(code) for _, (code, _) in replies)
        return transient, f"refused every recipient: {listed}"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return _is_transient(exc.smtp_code), (
            f"refused the sender {exc.sender}: answered {exc.smtp_code} {_text(exc.smtp_error)}"
        )
    if isinstance(exc, smtplib.SMTPResponseException):  # includes SMTPDataError, SMTPConnectError
        return _is_transient(exc.smtp_code), (f"answered {exc.smtp_code} {_text(exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        if smtp.security == "starttls" and "STARTTLS" in str(exc):
            return False, (
                "does not offer STARTTLS: check delivery.smtp.security ('ssl' for port 465, "
                "'none' only for a relay on this machine)"
            )
        return False, f"does not support what we asked: {exc}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True, f"closed the connection: {exc or 'no reason given'}"
    if isinstance(exc, ConnectionRefusedError):
        return True, "refused the connection: check delivery.smtp.host and port"
    if isinstance(exc, socket.gaierror):
        return True, f"could not be found ({exc.strerror}): check delivery.smtp.host"
    if isinstance(exc, TimeoutError):
        return True, f"did not answer within {smtp.timeout_seconds:g} s"
    if isinstance(exc, ssl.SSLError):
        # A certificate or protocol mismatch stays wrong until the config or server changes.
        return False, (
            f"failed the TLS handshake ({exc.reason or exc}): check delivery.smtp.security and port"
        )
    return True, f"could not be reached: {exc.strerror or exc}"


def _is_transient(code: int) -> bool:
    # RFC 5321: 4yz is a temporary failure (try again later), 5yz a permanent one.
    return 400 <= code < 500


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())
