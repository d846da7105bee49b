"""Shared fixtures; the helpers they and the tests use live in the top-level testing/."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.loopback import Inbox, free_port


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "out"


@pytest.fixture
def inbox():
    """A real SMTP server on loopback: (its Inbox, its port)."""
    from aiosmtpd.controller import Controller

    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


@pytest.fixture
def keep_umask():
    """main() sets the process's umask to 077; give the test's back after it."""
    import os

    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)
