#!/usr/bin/env bash
# Installs the Debian packages dudao needs when they are missing: CJK fonts for the boards and the report PDF, zbar for
# decoding QR codes in tests, Chromium for browser tests, poppler for looking at PDFs, faketime for running
# the suite as of another date, nginx for the deployment kit's end-to-end test (run unprivileged by the test on a
# loopback port; installing the package does not need it running), pg_dump and rsync for the backup test.
set -u
missing=()
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
# the 督导报告 PDF: reportlab embeds TrueType outlines only (Noto CJK is CFF) and needs digits and Latin letters
fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" || missing+=(fonts-wqy-microhei)
command -v zbarimg >/dev/null || missing+=(zbar-tools)
command -v chromium >/dev/null || missing+=(chromium)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v faketime >/dev/null || missing+=(faketime)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v pg_dump >/dev/null || missing+=(postgresql-client)  # the backup test runs deploy/backup.sh
command -v rsync >/dev/null || missing+=(rsync)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null
else
  echo "please install these Debian packages: sudo apt-get install ${missing[*]}" >&2
  echo "(dudao runs without them; boards fall back to a plainer font and some tests are skipped)" >&2
fi
exit 0
