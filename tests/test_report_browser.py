"""The report as a person sees it: opened from disk in headless Chromium, offline."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from analytics_helpers import two_satker, write_gold_decree
from browser import chromium, needs_chromium, severe_console_errors
from extract.combine import combine
from extract.reference import AREA_KODE
from extract.compare import compare

HOSTILE = 'KPU Kota <img src=x onerror="alert(1)"> & Co'

pytestmark = needs_chromium


@pytest.fixture
def browser(tmp_path) -> Iterator[webdriver.Chrome]:
    with chromium(tmp_path / "profile") as driver:
        yield driver


def test_report_opens_offline_without_errors(tmp_path, browser):
    data = tmp_path / "processed"
    two_satker(data)
    write_gold_decree("singkawang-2023-word-triwulan", data, instansi=HOSTILE)
    combine(data)
    report = compare(data, tmp_path / "report")

    browser.get(report.as_uri())
    assert severe_console_errors(browser) == []
    assert browser.title == "Rencana aksi RB: comparison across satker"

    body = browser.find_element(By.TAG_NAME, "body").text
    for name in ("KPU Kota Singkawang", "KPU Kabupaten Bengkayang", HOSTILE):
        assert name in body
    summary = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "ul.summary li")]
    assert len(summary) == 3 and all(" rows, " in line for line in summary)
    assert browser.find_elements(By.CSS_SELECTOR, "img[src^='http']") == []

    images = browser.execute_script(
        "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight]);"
    )
    assert len(images) == 2 and all(ok and w > 100 and h > 50 for ok, w, h in images)

    df = pd.read_parquet(data / "rencana_aksi.parquet").merge(
        pd.read_parquet(data / "dokumen.parquet")[["doc_id", "instansi"]], on="doc_id"
    )
    expected = pd.crosstab(df["instansi"], df["area_kode"]).reindex(columns=list(AREA_KODE), fill_value=0)
    for tr in browser.find_elements(By.CSS_SELECTOR, "#coverage tbody tr"):
        cells = [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        assert [int(c) for c in cells[1:]] == expected.loc[cells[0]].tolist()
    assert len(browser.find_elements(By.CSS_SELECTOR, "#coverage tbody tr")) == 3
