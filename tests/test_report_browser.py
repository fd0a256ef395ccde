"""The report as a person sees it: opened from disk in headless Chromium, offline, on a laptop."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pypdfium2
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from analytics_helpers import expected_load, latest_per_satker, plans_over_years, write_gold_decree
from browser import chromium, needs_chromium, severe_console_errors
from extract.combine import combine
from extract.compare import compare
from extract.reference import AREA_KODE

HOSTILE = 'KPU Kota <img src=x onerror="alert(1)"> & Co'
LAPTOP = (1366, 768)
A4_LANDSCAPE_PT = (842, 595)

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("processed")
    plans_over_years(data)
    write_gold_decree("bengkayang-2023-word", data, instansi=HOSTILE, tahun=2024)
    combine(data)
    return compare(data, data / "report")


@pytest.fixture
def browser(tmp_path) -> Iterator[webdriver.Chrome]:
    with chromium(tmp_path / "profile", size=LAPTOP) as driver:
        yield driver


def _page_width(driver: webdriver.Chrome) -> tuple[int, int]:
    return driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];"
    )


def test_report_fits_a_laptop_screen_without_errors(report, browser):
    browser.get(report.as_uri())
    assert severe_console_errors(browser) == []
    assert browser.title == "Perbandingan rencana aksi Reformasi Birokrasi antar-satker"
    scroll, client = _page_width(browser)
    assert client > 1200  # the window really is laptop-sized
    assert scroll <= client, f"page scrolls sideways: {scroll} px content in a {client} px window"

    body = browser.find_element(By.TAG_NAME, "body").text
    assert HOSTILE + " 2024" in body
    assert browser.find_elements(By.TAG_NAME, "img") == []

    data = report.parent.parent
    df = pd.read_parquet(data / "rencana_aksi.parquet")
    dokumen = pd.read_parquet(data / "dokumen.parquet")
    latest = latest_per_satker(dokumen)
    label = {r.doc_id: f"{r.instansi} {r.tahun}" for r in dokumen.itertuples()}
    shown = {}
    for tr in browser.find_elements(By.CSS_SELECTOR, "#coverage tbody tr"):
        cells = [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        shown[cells[0]] = [int(c) for c in cells[1:]]
    assert set(shown) == {label[d] for d in latest}
    for doc_id in latest:
        counts = df.loc[df["doc_id"] == doc_id, "area_kode"].value_counts()
        assert shown[label[doc_id]] == [int(counts.get(a, 0)) for a in AREA_KODE]

    quarters = browser.find_elements(By.CSS_SELECTOR, "#month-load td.tw")
    jateng = df[df["doc_id"] == "kpu-provinsi-jawa-tengah-2024-21"]
    assert [int(td.text) for td in quarters] == expected_load(jateng, quarterly=True)
    assert all(td.get_attribute("colspan") == "3" for td in quarters)


def test_report_prints_on_landscape_a4(report, browser):
    browser.get(report.as_uri())
    # The printable width of A4 landscape with the report's 12 mm margins, in CSS pixels.
    width = round((297 - 2 * 12) / 25.4 * 96)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": width, "height": 700, "deviceScaleFactor": 1, "mobile": False}
    )
    scroll, client = _page_width(browser)
    assert width - 20 <= client <= width and scroll <= client, f"{scroll} px of content on a {client} px printed page"

    # Chromium's own print, paper and margins from the report's @page rule, as a user's Ctrl+P.
    printed = browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
    pdf = pypdfium2.PdfDocument(base64.b64decode(printed["data"]))
    try:
        assert len(pdf) >= 2
        for page in pdf:
            assert tuple(round(v) for v in page.get_size()) == A4_LANDSCAPE_PT
    finally:
        pdf.close()
