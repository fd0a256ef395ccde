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

The import makes hundreds of thousands of objects that live as long as the process, none of
them garbage: the collector is kept off while they are made (a tenth of the import's time
goes to collections that find nothing), and they are then frozen out of later collections,
so a worker's collections walk only its decree's objects and leave the pages it shares with
the forkserver unwritten.
"""
from __future__ import annotations

import atexit
import gc
import os
import sys

gc.disable()
sys.modules.setdefault("hypothesis", None)  # type: ignore[arg-type]
# The forkserver exits once the batch's process has gone, with nothing left to clean up: it
# skips tearing down the libraries it loaded (a third of a second), which a command whose
# output is piped would otherwise wait for, since the forkserver holds the same stderr.
atexit.register(os._exit, 0)

try:
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
finally:
    gc.freeze()
    gc.enable()
    # A decree allocates some 10^5 objects (glyphs, words, cells) with next to no cycles
    # among them, freed by reference counting as it goes: the young generation is collected
    # every 10,000 allocations rather than CPython's 700, which a lampiran of hundreds of
    # pages feels (300 pages: a tenth of its time, `make bench`).
    gc.set_threshold(10_000, 10, 10)
