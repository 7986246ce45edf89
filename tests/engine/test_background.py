"""background: a function run in a forked child process (or a thread) hands back its value or
its own exception, a child that dies says so, and a cancelled child is killed and reaped."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from audits.engine import background
from audits.engine.errors import SchemaError, TargetError
from audits.engine.model import Column, Schema, Table

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="this platform has no fork")


def small_schema(name: str) -> Schema:
    return Schema("postgresql", (Table(name, columns=(Column("id", "integer", False),)),))


def fail_with(error: BaseException) -> None:
    raise error


class Unrebuildable(Exception):
    """Its constructor takes two arguments but it keeps one: pickle cannot rebuild it."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} and {second}")


def child_pid_then_sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def kill_myself() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@needs_fork
def test_a_child_process_hands_back_its_value() -> None:
    running = background.InChildProcess(small_schema, "user")
    assert running.result() == small_schema("user")


@needs_fork
def test_the_child_runs_in_another_process() -> None:
    assert background.InChildProcess(child_pid_then_sleep, 0).result() != os.getpid()


@needs_fork
def test_the_functions_own_engine_error_is_raised_in_the_parent() -> None:
    running = background.InChildProcess(fail_with, TargetError("db.example.com refused us"))
    with pytest.raises(TargetError, match="^db.example.com refused us$"):
        running.result()
    schema_error = SchemaError("bad", "schema.prisma", 3, 4, expected="a type")
    with pytest.raises(SchemaError) as raised:
        background.InChildProcess(fail_with, schema_error).result()
    assert str(raised.value) == "schema.prisma:3:4: bad (expected a type)"


@needs_fork
def test_an_exception_pickle_cannot_rebuild_keeps_its_words() -> None:
    running = background.InChildProcess(fail_with, Unrebuildable("one", "two"))
    with pytest.raises(RuntimeError, match="^Unrebuildable: one and two$"):
        running.result()


@needs_fork
def test_a_child_that_dies_is_a_target_error_naming_the_signal() -> None:
    with pytest.raises(TargetError, match="ended without an answer .killed by signal 9."):
        background.InChildProcess(kill_myself).result()


@needs_fork
def test_cancel_kills_and_reaps_the_child_at_once() -> None:
    running = background.InChildProcess(child_pid_then_sleep, 30)
    pid = running._pid
    started = time.monotonic()
    running.cancel()
    assert time.monotonic() - started < 5
    with pytest.raises(ChildProcessError):  # reaped: no zombie left behind
        os.waitpid(pid, os.WNOHANG)


def test_a_thread_hands_back_its_value_and_its_error() -> None:
    assert background.InThread(small_schema, "post").result() == small_schema("post")
    with pytest.raises(TargetError, match="refused"):
        background.InThread(fail_with, TargetError("refused")).result()


def test_start_uses_a_thread_unless_a_process_is_asked_for_and_safe() -> None:
    assert isinstance(background.start(small_schema, "a"), background.InThread)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        # another thread runs: forking could copy a lock it holds, so a thread it is
        assert not background.can_fork()
        assert isinstance(background.start(small_schema, "a", process=True),
                          background.InThread)
    finally:
        stop.set()
        other.join()
