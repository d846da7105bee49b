"""Servers on loopback for tests: a free port, and a real SMTP server's inbox (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage
from typing import Any

QUEUED = "250 2.0.0 Ok: queued as 1234"


def free_port() -> int:
    """A loopback port nothing listens on, for a test server (or for a refused connection)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    """An aiosmtpd handler on a real SMTP server: keeps every envelope, answers DATA as told."""

    def __init__(self, data_reply: str = QUEUED) -> None:
        self.data_reply = data_reply
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply.startswith("250"):
            self.envelopes.append(envelope)
        return self.data_reply

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.original_content, policy=email.policy.default)
            for e in self.envelopes
        ]
