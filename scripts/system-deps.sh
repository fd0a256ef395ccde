#!/usr/bin/env bash
# System packages renaksi needs beyond PyPI: Tesseract with the Indonesian model (scanned
# decrees) and Chromium (browser tests of the HTML reports). Installs what is missing.
set -euo pipefail
need=()
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
if ! tesseract --list-langs 2>/dev/null | grep -qx ind; then need+=(tesseract-ocr-ind); fi
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "renaksi: please install ${need[*]} (no apt-get on this machine)" >&2
  exit 1
fi
echo "renaksi: installing ${need[*]} ..." >&2
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null \
  || { echo "renaksi: could not install ${need[*]}; scanned PDFs and browser tests need them" >&2; exit 1; }
