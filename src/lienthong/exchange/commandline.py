"""What the exchange layer's long-running and listing commands share: argument types and a
clean stop on SIGTERM/SIGINT (`lienthong worker`, `lienthong deliver`, `outbox`,
`deadletters`)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from django.utils.translation import gettext as _


def positive_number(value: str) -> float:
    """An argparse type: a number above zero."""
    try:
        number = float(value)
    except ValueError:
        number = 0
    if not number > 0:
        raise argparse.ArgumentTypeError(_("Phải là số dương."))
    return number


def positive_integer(value: str) -> int:
    """An argparse type: a whole number of at least one."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(_("Phải là số nguyên dương."))
    return number


@contextmanager
def stop_on_signals(logger: logging.Logger, message: str) -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT while the block runs (logged as
    `message % signal name`); the previous handlers come back afterwards."""
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        logger.info(message, signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
