#!/usr/bin/env bash
# System packages renaksi needs beyond the Python venv. Extraction: Tesseract with its
# Indonesian model (OCR of scanned decrees) and poppler-utils (pdftoppm/pdfimages for
# inspecting scans). With --test also what the tests drive: Chromium with chromedriver (the
# HTML reports in a browser) and LibreOffice Calc (the XLSX export recomputed by an office
# suite). Quiet and idempotent when all is present; installs with apt-get otherwise; exits
# non-zero with a message saying what to do when it cannot.
set -euo pipefail

missing=()
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
if ! command -v tesseract >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -qx ind; then
    missing+=(tesseract-ocr-ind)
fi
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
if [ "${1:-}" = "--test" ]; then
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
    command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
fi

[ ${#missing[@]} -eq 0 ] && exit 0

echo "system-deps: installing ${missing[*]}" >&2
if ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: apt-get not found; install ${missing[*]} with your package manager" \
         "(Tesseract needs the 'ind' language data)" >&2
    exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        echo "system-deps: not root and no sudo; run as root: apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get update -qq || \
   ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    echo "system-deps: apt-get could not install ${missing[*]}" >&2
    exit 1
fi
if ! tesseract --list-langs 2>/dev/null | grep -qx ind || ! command -v pdftoppm >/dev/null 2>&1; then
    echo "system-deps: ${missing[*]} installed but tesseract 'ind' or pdftoppm still missing" >&2
    exit 1
fi
