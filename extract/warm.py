"""What every worker needs before its first decree, loaded once in the batch's forkserver.

Importing this module is its whole purpose: the forkserver imports it before it forks any
worker, so each worker starts with the pipeline's libraries loaded and their first-use
set-up done (pandera registers its pandas backends and builds the schema on the first
validation; the reference tables are read on the first area and region looked up; Sastrawi's
dictionary on the first line break weighed), instead of paying that again in every worker
it forks.

pandera imports hypothesis whenever it is installed (a quarter of a second), only to offer
strategies that generate test data; renaksi validates and never generates, so the
forkserver, a process of renaksi's own, marks it absent, as it is where only `make extract`
ran.
"""
from __future__ import annotations

import atexit
import gc
import os
import sys

sys.modules.setdefault("hypothesis", None)  # type: ignore[arg-type]
# The forkserver exits once the batch's process has gone, with nothing left to clean up: it
# skips tearing down the libraries it loaded (a third of a second), which a command whose
# output is piped would otherwise wait for, since the forkserver holds the same stderr.
atexit.register(os._exit, 0)

from . import batch, pipeline, write  # noqa: F401  (loaded for the workers)
from .model import ColumnMap
from .normalise import normalise
from .reference import area_kode, region_of
from .text import two_words
from .validate import validate

validate(normalise([], ColumnMap((), "bulan", 1, 0), "warm"))
area_kode("Manajemen Perubahan")
region_of("KPU Kota Singkawang")
two_words("mengubah", "berbagai")

# What the forkserver loaded lives as long as the workers do: frozen, no collection of theirs
# scans it again (nor writes to its pages, which the forks share). A decree then allocates
# some 10^5 objects (glyphs, words, cells) with next to no cycles among them, so the young
# generation is collected every 10,000 allocations rather than CPython's 700: 5-10 % of a
# decree's time (`make bench`), memory still freed by reference counting as it goes.
gc.freeze()
gc.set_threshold(10_000, 10, 10)
