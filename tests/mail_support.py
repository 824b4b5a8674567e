"""A real SMTP server for mail tests (issue 28): aiosmtpd on a free loopback port, started by the test
run; every message it accepts is kept, parsed, for the test to read. `refuse` makes it answer 451 to
every message (a server that is there but does not take mail)."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """What the server received; `refuse` = an SMTP answer to give instead of accepting."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: str | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.refuse:
            return self.refuse
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK: angenommen"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        self.messages.clear()
        self.envelopes.clear()


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def links_in(message: EmailMessage) -> list[str]:
    return re.findall(r"https?://[^\s<>\"]+", text_of(message))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """(inbox, port) of a running aiosmtpd on 127.0.0.1."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def mail_config(port: int, base: str = "https://planner.kreis-steinfurt.example") -> dict:
    """The app settings that send mail to the test server."""
    return {
        "MAIL_SMTP_URL": f"smtp://127.0.0.1:{port}",
        "MAIL_FROM": "planner@kreis-steinfurt.example",
        "BASE_URL": base,
    }
