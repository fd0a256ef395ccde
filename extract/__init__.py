"""renaksi: KPU rencana-aksi decrees (PDF) to validated tables.

The pipeline, one module per stage: pages → metadata → grid → header → stitch →
normalise → validate → write; ``pipeline.run`` chains them and is all the CLI calls.
"""
from functools import cache


@cache
def version() -> str:
    """The installed renaksi version, recorded in every decree folder it writes.

    Looked up on first use: importlib.metadata costs tens of milliseconds to import, which
    a command that never records or compares a version (``--help``, ``compare``) need not pay.
    """
    from importlib.metadata import PackageNotFoundError, version as installed

    try:
        return installed("renaksi")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0+local"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
