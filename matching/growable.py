"""Arrays that grow at the end in amortised O(added) time, for the index's per-row storage.

``np.concatenate`` of every row with a few new ones copies all of them: adding 10 postings to an
index of 300,000 re-copied about a gigabyte of vectors. A ``Rows`` keeps a larger buffer and hands
out a view of its used part; appending writes into the spare capacity, and only when that runs out
is the buffer copied into one twice as large, so each row is copied a bounded number of times on
average. The spare capacity is allocated with ``np.empty`` and never written until used: the
operating system does not back untouched pages with memory, so it costs address space, not RAM.

A view handed out before a growth still reads the old buffer: callers take ``view`` again after
each ``extend`` (the matcher re-reads its attributes; nothing keeps a view across a change).
"""

from __future__ import annotations

from typing import Any

import numpy as np

GROWTH = 2  # a full buffer is copied into one this many times as large
HEADROOM = 8  # the first allocation (an index's build) leaves 1/HEADROOM spare, so the next adds copy nothing
MIN_CAPACITY = 16


class Rows:
    """An array growable along its first axis; ``view`` is the used part (writes go through).

    Two-dimensional rows (``columns=True``) take their width from the first rows appended.
    """

    def __init__(self, dtype: Any, columns: bool = False):
        self._buffer = np.empty((0, 0) if columns else (0,), dtype=dtype)
        self.size = 0

    @property
    def view(self) -> np.ndarray:
        """The used rows, in place (no copy)."""
        return self._buffer[: self.size]

    def extend(self, values: Any) -> np.ndarray:
        """Append rows; returns ``view``. Costs the rows given, plus now and then a copy of the
        used rows into a buffer ``GROWTH`` times as large."""
        values = np.asarray(values, dtype=self._buffer.dtype)
        if not values.size:
            return self.view
        if self._buffer.ndim == 2:
            if not self.size and values.size and values.shape[-1] != self._buffer.shape[1]:
                self._buffer = np.empty((0, values.shape[-1]), dtype=self._buffer.dtype)  # width now known
            values = values.reshape(-1, self._buffer.shape[1])
        need = self.size + len(values)
        if need > len(self._buffer):
            capacity = max(MIN_CAPACITY, GROWTH * len(self._buffer), need + need // HEADROOM)
            grown = np.empty((capacity, *self._buffer.shape[1:]), dtype=self._buffer.dtype)
            grown[: self.size] = self._buffer[: self.size]
            self._buffer = grown
        self._buffer[self.size : need] = values
        self.size = need
        return self.view

    @property
    def capacity(self) -> int:
        """Rows the buffer holds before it must grow."""
        return len(self._buffer)
