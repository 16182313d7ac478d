#!/usr/bin/env bash
# Install the TeX engine symbptt's PDF output uses (TeX Live from Debian), if missing.
set -euo pipefail
if command -v latexmk >/dev/null && command -v pdflatex >/dev/null && command -v pdftotext >/dev/null; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  texlive-latex-recommended texlive-pictures lmodern latexmk poppler-utils >/dev/null
