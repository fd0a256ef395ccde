"""Every tunable of the pipeline, checked once when built and passed down explicitly."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class GridSettings:
    """How ruling lines become a cell grid (units are PDF points)."""

    # Parallel rulings closer than this are one line: the two lines of a double border (up to
    # 3 pt between them) are one ruling, and no cell that holds text is this narrow.
    snap_tolerance: float = 4.0
    join_tolerance: float = 3.0  # collinear pieces with gaps below this are joined
    intersection_tolerance: float = 3.0
    # A bar thinner than this is a line: Word's borders go up to 4.5 pt before 6 pt, and a
    # shaded cell holds at least one line of text (8 pt and more).
    max_ruling_thickness: float = 4.5
    max_dot_size: float = 2.0  # a speck this small may be one dot of a dotted line
    max_dash_gap: float = 5.0  # dots and dashes this close along a line form one ruling
    # A line that stops this short of a crossing line, or runs this far past it, meets it:
    # no cell is this narrow, and producers miss or overshoot by a few points.
    max_overshoot: float = 5.0
    min_table_width: float = 200.0  # smaller grids are logos, boxes, stamps

    def __post_init__(self) -> None:
        for name in ("snap_tolerance", "join_tolerance", "intersection_tolerance",
                     "max_ruling_thickness", "max_dot_size", "max_dash_gap", "max_overshoot",
                     "min_table_width"):
            if getattr(self, name) <= 0:
                raise ValueError(f"GridSettings.{name} must be > 0")


@dataclass(frozen=True, slots=True)
class OcrSettings:
    """Scanned pages: raster resolution and Tesseract language."""

    dpi: int = 200
    lang: str = "ind"
    min_confidence: float = 60.0  # rows below this mean word confidence are listed for review

    def __post_init__(self) -> None:
        if not 72 <= self.dpi <= 600:
            raise ValueError("OcrSettings.dpi must be between 72 and 600")
        if not 0 <= self.min_confidence <= 100:
            raise ValueError("OcrSettings.min_confidence must be between 0 and 100")


@dataclass(frozen=True, slots=True)
class Settings:
    grid: GridSettings = field(default_factory=GridSettings)
    ocr: OcrSettings = field(default_factory=OcrSettings)
    password: str | None = None
    max_pages: int = 2000  # refuse absurd documents instead of grinding through them

    def __post_init__(self) -> None:
        if self.max_pages < 1:
            raise ValueError("Settings.max_pages must be >= 1")
