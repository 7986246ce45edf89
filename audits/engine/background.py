"""Work that runs beside the caller: reading the live database while the schema is parsed.

Two ways, one interface (``result()``, ``cancel()``):

- ``InThread``: the database read in a thread. Cheap to start, but the read is mostly Python
  (turning catalog rows into objects) and shares the interpreter lock with the parse, so on a
  big schema the two take turns rather than overlapping.
- ``InChildProcess``: the read in a forked child, on the other core, its result pickled back
  through a pipe. The parent never imports the database driver at all. Only where ``os.fork``
  exists, and only from a process with no other threads (forking a threaded process may copy a
  lock some other thread holds).

Both hand the caller the function's own exception, so an error reads the same either way.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from audits.engine.errors import TargetError

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Background(Protocol[T_co]):
    def result(self) -> T_co:
        """Wait for the function; its value, or its exception raised here."""
        ...

    def cancel(self) -> None:
        """The caller no longer wants the result: stop waiting for it (and free what it holds)."""
        ...


class InThread(Generic[T]):
    """``function(*args, **kwargs)`` in a daemon thread: a caller that gives up on the result
    neither waits for it nor keeps the process alive for it."""

    def __init__(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> None:
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(function, args, kwargs),
                                        daemon=True, name="background")
        self._thread.start()

    def _run(self, function: Callable[..., T], args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> None:
        try:
            self._value = function(*args, **kwargs)
        except BaseException as exc:  # handed to the caller in result()
            self._error = exc

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]  # set when no error was

    def cancel(self) -> None:
        """A daemon thread is left to finish on its own; nobody waits for it."""


class InChildProcess(Generic[T]):
    """``function(*args, **kwargs)`` in a forked child process; see the module docstring."""

    def __init__(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> None:
        # Buffered output would otherwise be written twice: once by each process.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover  (the child; coverage does not follow a fork)
            os.close(read_end)
            _run_child(write_end, function, args, kwargs)
        os.close(write_end)
        self._pid: int | None = pid
        self._pipe = os.fdopen(read_end, "rb")

    def result(self) -> T:
        payload = self._pipe.read()
        self._pipe.close()
        status = self._reap()
        if not payload:
            raise TargetError(f"the process reading the database ended without an answer "
                              f"({_describe_status(status)})")
        succeeded, value = pickle.loads(payload)
        if not succeeded:
            raise value
        return value  # type: ignore[no-any-return]

    def cancel(self) -> None:
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
        self._pipe.close()
        self._reap()

    def _reap(self) -> int:
        pid, self._pid = self._pid, None
        if pid is None:
            return 0
        return os.waitpid(pid, 0)[1]


def _run_child(write_end: int, function: Callable[..., Any], args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> None:  # pragma: no cover  (runs in the child)
    """Run, send ``(True, value)`` or ``(False, exception)``, and leave without running the
    parent's exit handlers or flushing its buffers (``os._exit``)."""
    code = 0
    try:
        try:
            payload = pickle.dumps((True, function(*args, **kwargs)), pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:
            payload = pickle.dumps((False, _picklable(exc)), pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
    except BaseException:
        code = 1  # the parent sees an empty answer and says so
    finally:
        os._exit(code)


def _picklable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling as itself; otherwise a RuntimeError with its words (an
    exception whose constructor takes other arguments than it keeps cannot be rebuilt)."""
    try:
        copy = pickle.loads(pickle.dumps(exc, pickle.HIGHEST_PROTOCOL))
        if type(copy) is type(exc) and str(copy) == str(exc):
            return exc
    except Exception:
        pass
    return RuntimeError(f"{type(exc).__name__}: {exc}")


def _describe_status(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def can_fork() -> bool:
    """A child process is safe to fork: the platform has fork, and no other thread runs."""
    return hasattr(os, "fork") and threading.active_count() == 1


def start(function: Callable[..., T], *args: Any, process: bool = False,
          **kwargs: Any) -> Background[T]:
    """``function(*args, **kwargs)`` in a child process when ``process`` is true and that is
    safe (``can_fork``), otherwise in a thread."""
    if process and can_fork():
        return InChildProcess(function, *args, **kwargs)
    return InThread(function, *args, **kwargs)


__all__ = ["Background", "InChildProcess", "InThread", "can_fork", "start"]
