"""Cross-satker comparison of the combined tables, as one self-contained HTML report.

The numbers come from pure functions over the combined ``rencana_aksi`` table so tests
can recompute them independently; ``compare`` only lays them out. The report loads
nothing from the network (charts are inline PNGs, the CSP forbids anything else), so it
opens from disk or an e-mail attachment.
"""

from __future__ import annotations

import base64
import html
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, UTC
from pathlib import Path

import numpy as np
import pandas as pd

from extract.combine import read_combined
from extract.errors import OutputError
from extract.write import atomic_path, own_folder
from extract.model import MONTHS
from extract.reference import AREA_KODE

BULAN_SINGKAT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
ITEM_COLUMNS = ("kegiatan", "indikator")
REPORT_FILES = ("report.html", "coverage.png", "bulan.png")

# Leading numbering as plans print it: "1.", "2)", "1.2.", "a.", "b)", "iv.", "(3)", "1.1".
_NUMBERING = re.compile(r"\s*(?:\d+(?:\.\d+)+[.)]?|\(?(?:\d+|[a-z]|[ivx]{1,4})[.)]|\(\w{1,4}\))\s*")
_NON_WORD = re.compile(r"[\W_]+")


def item_key(text: str, wilayah: str | None = None) -> str:
    """Matching key for a kegiatan/indikator: the same item printed differently gets one key.

    Casefolds, drops leading numbering, collapses punctuation and whitespace, and (given the
    satker's ``wilayah``) replaces its own name, so "... di lingkungan KPU Kota Singkawang"
    and "... di lingkungan KPU Kabupaten Bengkayang" are the same kegiatan.
    """
    s = unicodedata.normalize("NFKC", text or "").casefold()
    while (m := _NUMBERING.match(s)) and m.end() > 0:
        s = s[m.end() :]
    s = _NON_WORD.sub(" ", s).strip()
    if wilayah:
        name = _NON_WORD.sub(" ", wilayah.casefold()).strip()
        if name:
            s = re.sub(rf"\b(?:(?:kota|kabupaten|kab|provinsi) )?{re.escape(name)}\b", "satker", s)
    return s


def coverage_matrix(df: pd.DataFrame) -> pd.DataFrame:
    """Rows per satker (index doc_id) and RB area (the 8 area_kode columns, zeros kept)."""
    counts = df.groupby(["doc_id", "area_kode"]).size().unstack(fill_value=0)
    return counts.reindex(columns=list(AREA_KODE), fill_value=0).astype("int64").rename_axis(columns=None)


def month_load(df: pd.DataFrame) -> pd.DataFrame:
    """Rows scheduled per satker (index doc_id) and month (columns 1..12)."""
    load = df.groupby("doc_id")[list(MONTHS)].sum().astype("int64")
    load.columns = list(range(1, 13))
    return load


def _keyed(df: pd.DataFrame, column: str, wilayah: Mapping[str, str] | None) -> pd.DataFrame:
    wilayah = wilayah or {}
    keys = [item_key(t, wilayah.get(d)) for t, d in zip(df[column].fillna(""), df["doc_id"], strict=True)]
    keyed = df.assign(kunci=keys, item=df[column].fillna(""))
    return keyed[keyed["kunci"] != ""]


def _representative(keyed: pd.DataFrame) -> pd.Series:
    """The most common printed form of each (area_kode, kunci), for display."""
    counts = keyed.groupby(["area_kode", "kunci", "item"], sort=False).size().reset_index(name="n")
    top = counts.sort_values("n", ascending=False, kind="stable").drop_duplicates(["area_kode", "kunci"])
    return top.set_index(["area_kode", "kunci"])["item"]


def missing_items(df: pd.DataFrame, min_share: float = 0.5, wilayah: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Kegiatan/indikator found in at least ``min_share`` of the plans but absent from a satker's.

    Items are matched by ``item_key`` within their RB area (numbering restarts per area, so
    "1. Perencanaan" in two areas is two items). ``wilayah`` maps doc_id to the satker's
    wilayah for name masking. One row per (doc_id, missing item).
    """
    columns = ["doc_id", "jenis", "area_kode", "item", "kunci", "n_satker", "share"]
    plans = sorted(df["doc_id"].unique())
    if not plans:
        return pd.DataFrame(columns=columns)
    parts = []
    for jenis in ITEM_COLUMNS:
        keyed = _keyed(df, jenis, wilayah)
        present = keyed.groupby(["area_kode", "kunci"])["doc_id"].agg(lambda s: frozenset(s))
        names = _representative(keyed)
        for (area_kode, kunci), holders in present.items():
            share = len(holders) / len(plans)
            if share < min_share:
                continue
            for doc_id in plans:
                if doc_id not in holders:
                    parts.append((doc_id, jenis, area_kode, names[(area_kode, kunci)], kunci, len(holders), share))
    out = pd.DataFrame(parts, columns=columns)
    area_order = {a: i for i, a in enumerate(AREA_KODE)}
    out = out.sort_values(
        ["doc_id", "jenis", "area_kode", "kunci"], key=lambda s: s.map(area_order) if s.name == "area_kode" else s
    )
    return out.reset_index(drop=True)


def schedule_differences(df: pd.DataFrame, wilayah: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Kegiatan held by two or more satker whose scheduled months are not all the same.

    A satker's months for a kegiatan are the union over its rows (sub_kegiatan); ``bulan`` is
    that set as a sorted tuple. One row per (kegiatan, satker holding it).
    """
    columns = ["area_kode", "kunci", "kegiatan", "doc_id", "bulan"]
    keyed = _keyed(df, "kegiatan", wilayah)
    if keyed.empty:
        return pd.DataFrame(columns=columns)
    months = keyed.groupby(["area_kode", "kunci", "doc_id"])[list(MONTHS)].any()
    sets = pd.Series(
        [tuple(m + 1 for m, on in enumerate(row) if on) for row in months.to_numpy()],
        index=months.index,
        name="bulan",
    ).reset_index()
    per_item = sets.groupby(["area_kode", "kunci"])["bulan"].agg(["nunique", "size"])
    differing = per_item[(per_item["size"] >= 2) & (per_item["nunique"] > 1)].index
    out = sets.set_index(["area_kode", "kunci"]).loc[lambda s: s.index.isin(differing)].reset_index()
    names = _representative(keyed)
    out["kegiatan"] = [names[(a, k)] for a, k in zip(out["area_kode"], out["kunci"], strict=True)]
    area_order = {a: i for i, a in enumerate(AREA_KODE)}
    out = out.sort_values(
        ["area_kode", "kunci", "doc_id"], key=lambda s: s.map(area_order) if s.name == "area_kode" else s
    )
    return out[columns].reset_index(drop=True)


def summary(df: pd.DataFrame, dokumen: pd.DataFrame) -> pd.DataFrame:
    """One line per decree in ``dokumen`` (index doc_id), including decrees with no rows."""
    doc = dokumen.set_index("doc_id")
    ids = list(dict.fromkeys([*doc.index, *df["doc_id"].unique()]))
    baris = df.groupby("doc_id").size()
    areas = df.groupby("doc_id")["area_kode"].nunique()
    active = (month_load(df) > 0).sum(axis=1) if len(df) else pd.Series(dtype="int64")
    ditolak = doc["jumlah_ditolak"] if "jumlah_ditolak" in doc else pd.Series(dtype="int64")
    out = pd.DataFrame(
        {
            "instansi": doc["instansi"].reindex(ids) if "instansi" in doc else pd.Series(index=ids, dtype=object),
            "tahun": doc["tahun"].reindex(ids) if "tahun" in doc else pd.Series(index=ids, dtype=object),
            "baris": baris.reindex(ids, fill_value=0).astype("int64"),
            "area": areas.reindex(ids, fill_value=0).astype("int64"),
            "bulan_aktif": active.reindex(ids, fill_value=0).astype("int64"),
            "ditolak": ditolak.reindex(ids, fill_value=0).fillna(0).astype("int64"),
        },
        index=pd.Index(ids, name="doc_id"),
    )
    return out


def satker_labels(dokumen: pd.DataFrame, doc_ids: Iterable[str]) -> dict[str, str]:
    """Readable names: the instansi, qualified by doc_id where one instansi has several decrees."""
    instansi = dict(zip(dokumen["doc_id"], dokumen["instansi"], strict=True)) if len(dokumen) else {}
    labels = {d: v if isinstance(v := instansi.get(d), str) and v else d for d in doc_ids}
    counts = Counter(labels.values())
    return {d: f"{v} ({d})" if counts[v] > 1 else v for d, v in labels.items()}


def month_span(months: Iterable[int]) -> str:
    """(1, 2, 3, 6) → "Jan–Mar, Jun": how a planner reads a schedule."""
    months = sorted(set(months))
    if not months:
        return "—"
    runs: list[list[int]] = []
    for m in months:
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return ", ".join(
        BULAN_SINGKAT[r[0] - 1] if len(r) == 1 else f"{BULAN_SINGKAT[r[0] - 1]}–{BULAN_SINGKAT[r[-1] - 1]}"
        for r in runs
    )


def load_combined(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The combined rencana_aksi and dokumen tables that ``combine`` wrote into ``data_dir``."""
    frames = read_combined(data_dir, ("rencana_aksi", "dokumen"))
    return frames["rencana_aksi"], frames["dokumen"]


def compare(data_dir: Path, out_dir: Path) -> Path:
    """Write ``out_dir/report.html`` (plus its charts as PNG files beside it); returns its path."""
    df, dokumen = load_combined(data_dir)
    out_dir = own_folder(Path(out_dir), is_report, "the report")
    wilayah = dict(zip(dokumen["doc_id"], dokumen["wilayah"].fillna(""), strict=True)) if len(dokumen) else {}
    summ = summary(df, dokumen)
    labels = satker_labels(dokumen, summ.index)
    coverage = coverage_matrix(df)
    load = month_load(df)

    charts: dict[str, bytes] = {}
    if len(df):
        charts["coverage.png"] = _heatmap(
            coverage.to_numpy(), [labels[d] for d in coverage.index], list(AREA_KODE), "Rows per RB area"
        )
        charts["bulan.png"] = _heatmap(
            load.to_numpy(), [labels[d] for d in load.index], list(BULAN_SINGKAT), "Rows scheduled per month"
        )
    page = _render(
        summ,
        labels,
        coverage,
        load,
        missing_items(df, wilayah=wilayah),
        schedule_differences(df, wilayah=wilayah),
        charts,
        source=Path(data_dir),
    )
    report = out_dir / "report.html"
    try:
        for name, png in charts.items():
            with atomic_path(out_dir / name) as tmp:
                tmp.write_bytes(png)
        with atomic_path(report) as tmp:
            tmp.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write the report to {out_dir} ({exc.strerror or exc})") from None
    return report


def is_report(folder: Path) -> bool:
    """A folder holding only what ``compare`` writes."""
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")} <= set(REPORT_FILES)


def _heatmap(values: np.ndarray, rows: list[str], cols: list[str], title: str) -> bytes:
    """A labelled count heatmap as PNG bytes; matplotlib is imported only when a report is drawn."""
    from matplotlib.figure import Figure  # no pyplot: no global state, Agg canvas for PNG

    height = 1.6 + 0.32 * len(rows)
    fig = Figure(figsize=(2.5 + 0.75 * len(cols), height), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(values, cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(len(cols)), labels=cols, rotation=35, ha="right")
    ax.set_yticks(range(len(rows)), labels=rows)
    ax.set_title(title)
    top = values.max() if values.size else 0
    if len(rows) <= 80:
        for (i, j), v in np.ndenumerate(values):
            ax.text(j, i, str(v), ha="center", va="center", fontsize=8, color="white" if v > top / 2 else "black")
    fig.colorbar(image, ax=ax, shrink=0.8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return buf.getvalue()


def _e(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def _table(table_id: str, header: list[str], rows: Iterable[Iterable[object]], numeric_from: int = 99) -> str:
    """An HTML table with every header and cell escaped; columns from ``numeric_from`` align right."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "\n".join(
        "<tr>"
        + "".join(
            f'<td class="n">{_e(v)}</td>' if j >= numeric_from else f"<td>{_e(v)}</td>" for j, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="scroll"><table id="{_e(table_id)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>\n{body}\n</tbody></table></div>"
    )


def _img(name: str, charts: Mapping[str, bytes], alt: str) -> str:
    if name not in charts:
        return ""
    data = base64.b64encode(charts[name]).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{_e(alt)}"><figcaption>{_e(name)}</figcaption></figure>'
    )


_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:1400px;color:#222}
.scroll{overflow-x:auto;margin:.5rem 0 1.5rem}
table{border-collapse:collapse;font-size:.85rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top;text-align:left}
th{background:#f0f3f7}td.n{text-align:right}td:first-child{white-space:nowrap}
ul.summary li{margin:.2rem 0}img{max-width:100%}figcaption{font-size:.75rem;color:#666}
.none{color:#666;font-style:italic}
"""


def _render(
    summ: pd.DataFrame,
    labels: Mapping[str, str],
    coverage: pd.DataFrame,
    load: pd.DataFrame,
    missing: pd.DataFrame,
    differences: pd.DataFrame,
    charts: Mapping[str, bytes],
    source: Path,
) -> str:
    n = len(summ)
    lines = "\n".join(
        f"<li><strong>{_e(labels[d])}</strong>: {r.baris} rows, {r.area} of {len(AREA_KODE)} areas covered, "
        f"{r.bulan_aktif} months with activity, {r.ditolak} rejected rows</li>"
        for d, r in summ.iterrows()
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
        "style-src 'unsafe-inline'\">",
        "<title>Rencana aksi RB: comparison across satker</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Rencana aksi RB: comparison across satker</h1>",
        f"<p>{n} decrees from <code>{_e(source)}</code>, "
        f"generated {_e(datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC'))}.</p>",
        '<h2 id="ringkasan">Summary per satker</h2>',
        f'<ul class="summary">{lines}</ul>' if n else '<p class="none">No decrees found.</p>',
        _table(
            "summary",
            ["satker", "doc_id", "tahun", "rows", "areas", "active months", "rejected rows"],
            ([labels[d], d, r.tahun, r.baris, r.area, r.bulan_aktif, r.ditolak] for d, r in summ.iterrows()),
            numeric_from=2,
        ),
        '<h2 id="cakupan">Area coverage (rows per RB area)</h2>',
        _img("coverage.png", charts, "Heatmap of rows per satker and RB area"),
        _table(
            "coverage",
            ["satker", *AREA_KODE],
            ([labels[d], *row] for d, row in zip(coverage.index, coverage.to_numpy().tolist(), strict=True)),
            numeric_from=1,
        ),
        '<h2 id="bulan">Month load (rows scheduled per month)</h2>',
        _img("bulan.png", charts, "Heatmap of rows scheduled per satker and month"),
        _table(
            "month-load",
            ["satker", *BULAN_SINGKAT],
            ([labels[d], *row] for d, row in zip(load.index, load.to_numpy().tolist(), strict=True)),
            numeric_from=1,
        ),
        '<h2 id="hilang">Kegiatan and indikator most plans have but a satker lacks</h2>',
        "<p>Matched after casefolding, dropping leading numbering, collapsing punctuation and "
        "replacing the satker's own wilayah name; within the same RB area.</p>",
        _table(
            "missing",
            ["satker", "jenis", "area", "item", "plans with it"],
            (
                [labels.get(r.doc_id, r.doc_id), r.jenis, r.area_kode, r.item, f"{r.n_satker} of {n}"]
                for r in missing.itertuples()
            ),
        )
        if len(missing)
        else '<p class="none">Nothing missing: every shared item is in every plan.</p>',
        '<h2 id="jadwal">Same kegiatan, different schedules</h2>',
        _schedule_table(differences, labels),
        "</body></html>",
    ]
    return "\n".join(parts)


def _schedule_table(differences: pd.DataFrame, labels: Mapping[str, str]) -> str:
    """One line per distinct schedule of a kegiatan, naming the satker that follow it."""
    if differences.empty:
        return '<p class="none">Every kegiatan shared by several satker has the same months in each.</p>'
    rows = []
    for (_, _, kegiatan), group in differences.groupby(["area_kode", "kunci", "kegiatan"], sort=False):
        area = group["area_kode"].iloc[0]
        for months, by in group.groupby("bulan", sort=True):
            rows.append([area, kegiatan, month_span(months), ", ".join(labels.get(d, d) for d in by["doc_id"])])
    return _table("schedule", ["area", "kegiatan", "months", "satker"], rows)
