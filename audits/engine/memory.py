"""Bounded per-process memories (the parse cache, remembered comparisons, snapshot digests):
an ``OrderedDict`` kept in order of use, whose least recently used entries are forgotten."""

from __future__ import annotations

from collections import OrderedDict
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def keep(memory: OrderedDict[K, V], key: K, value: V, limit: int) -> None:
    """Remember ``value`` under ``key`` as the most recently used entry, and forget the least
    recently used ones beyond ``limit``. (A hit is marked with ``memory.move_to_end(key)`` by
    the caller, once it has checked the entry still holds.)"""
    memory[key] = value
    memory.move_to_end(key)
    while len(memory) > limit:
        memory.popitem(last=False)
