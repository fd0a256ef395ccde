"""Every tunable of the pipeline, checked once when built and passed down explicitly."""
from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class GridSettings:
    """How ruling lines become a cell grid (units are PDF points)."""

    snap_tolerance: float = 3.0  # rulings closer than this are one line
    join_tolerance: float = 3.0  # collinear pieces with gaps below this are joined
    intersection_tolerance: float = 3.0
    max_ruling_thickness: float = 2.5  # a filled rect thinner than this is a line
    min_table_width: float = 200.0  # smaller grids are logos, boxes, stamps

    def __post_init__(self) -> None:
        for name in ("snap_tolerance", "join_tolerance", "intersection_tolerance",
                     "max_ruling_thickness", "min_table_width"):
            if getattr(self, name) <= 0:
                raise ValueError(f"GridSettings.{name} must be > 0")


@dataclass(frozen=True, slots=True)
class OcrSettings:
    """Scanned pages: raster resolution and Tesseract language."""

    dpi: int = 200
    lang: str = "ind"
    min_confidence: float = 60.0  # rows below this mean word confidence are listed for review
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)  # pages OCR'd at once

    def __post_init__(self) -> None:
        if not 72 <= self.dpi <= 600:
            raise ValueError("OcrSettings.dpi must be between 72 and 600")
        if not 0 <= self.min_confidence <= 100:
            raise ValueError("OcrSettings.min_confidence must be between 0 and 100")
        if self.jobs < 1:
            raise ValueError("OcrSettings.jobs must be >= 1")


@dataclass(frozen=True, slots=True)
class Settings:
    grid: GridSettings = field(default_factory=GridSettings)
    ocr: OcrSettings = field(default_factory=OcrSettings)
    password: str | None = None
    max_pages: int = 2000  # refuse absurd documents instead of grinding through them

    def __post_init__(self) -> None:
        if self.max_pages < 1:
            raise ValueError("Settings.max_pages must be >= 1")
