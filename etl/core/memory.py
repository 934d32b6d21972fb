"""Arrow's freed memory given back to the system between the steps of a large run.

pyarrow's allocator (mimalloc by default) keeps the pages of freed buffers for its own reuse.
Python objects and numpy arrays made next (a million points, the join's arrays) cannot use them,
so without this a run holds both at once: validating a million-row export left about 800 MiB
of freed Arrow memory in the process. Called where a step has just let go of a large table.
"""
from __future__ import annotations

import pyarrow as pa


def release_arrow() -> None:
    """Return the pages Arrow's allocator holds for freed buffers to the system."""
    pa.default_memory_pool().release_unused()
