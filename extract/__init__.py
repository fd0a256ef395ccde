"""renaksi: KPU rencana-aksi decrees (PDF) to validated tables.

The pipeline, one module per stage: pages → metadata → grid → header → stitch →
normalise → validate → write; ``pipeline.run`` chains them and is all the CLI calls.
"""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("renaksi")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+local"
