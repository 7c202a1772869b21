#!/usr/bin/env bash
# Remake the two screenshots in docs/user-guide.md from the demo data:
#
#   docs/images/todo-list.png       "Your to-do list" on the organiser's home page
#   docs/images/overview-tasks.png  the task list on the PCM's overview of the diagnostic
#                                   in delivery
#
# Each run starts from nothing: a new SQLite database in a temporary folder (your own database
# in var/ and any DATABASE_URL are left alone), migrated and given the demo data
# (peerdiag demo). The app is served on a free port on 127.0.0.1 with runserver, and
# scripts/user_guide_screenshots.py signs in with Playwright, driving Debian's Chromium
# (/usr/bin/chromium), in a window 1280 px wide. The server and the folder go when the
# script ends, however it ends.
#
# Usage: scripts/user-guide-screenshots.sh [--out DIR]
#
# DIR is docs/images unless --out says otherwise. It exits 0 when both images were written;
# otherwise it prints one line saying what failed and exits 1 (2 for a wrong call).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=docs/images
VENV=${VENV:-.venv}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

fail() {
  echo "user-guide-screenshots: $*" >&2
  exit 1
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -o | --out)
      OUT=${2:?--out needs a folder}
      shift 2
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "user-guide-screenshots: unknown option $1 (try --help)" >&2
      exit 2
      ;;
  esac
done

PEERDIAG="$VENV/bin/peerdiag"
PYTHON="$VENV/bin/python"
[[ -x "$PEERDIAG" ]] || fail "$PEERDIAG is missing: run 'make venv' first"
[[ -x /usr/bin/chromium ]] || fail "/usr/bin/chromium is missing (apt-get install chromium)"
[[ -d assets/build ]] || fail "assets/build is missing: run 'make assets' first"
started=$(date +%s)

# --- A database of its own --------------------------------------------------------------------

work=$(mktemp -d)
server=""
cleanup() {
  if [[ -n "$server" ]]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

unset DATABASE_URL
export DJANGO_SETTINGS_MODULE=peerdiag.settings
export PEERDIAG_VAR_DIR="$work"                # the SQLite database lives here
export PEERDIAG_MEDIA_ROOT="$work/media"
export PEERDIAG_PROFILE=development
export PEERDIAG_DEBUG=true                     # runserver serves the built front end
export PEERDIAG_TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend
export PEERDIAG_EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
export PEERDIAG="$PEERDIAG"

"$PEERDIAG" migrate --noinput -v0 >"$work/migrate.log" 2>&1 ||
  fail "migrate failed: $(tail -n 1 "$work/migrate.log")"
"$PEERDIAG" demo >"$work/demo.log" 2>&1 ||
  fail "peerdiag demo failed: $(tail -n 1 "$work/demo.log")"

# The diagnostic in delivery, the address of its overview, and the demo accounts' password.
found=$("$PYTHON" -c '
import django
django.setup()
from django.urls import reverse
from peerdiag.demo.cast import DEMO_PASSWORD
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
d = Diagnostic.objects.filter(stage=Stage.DELIVERY).order_by("reference").first()
if d:
    print(d.reference, reverse("web:diagnostic_overview", args=[d.reference]), DEMO_PASSWORD)
' 2>"$work/reference.log") || fail "could not read the demo data: $(tail -n 1 "$work/reference.log")"
[[ -n "$found" ]] || fail "the demo data has no diagnostic in delivery"
read -r reference overview password <<<"$found"
export USER_GUIDE_PASSWORD="$password" # read by user_guide_screenshots.py

# --- The server -------------------------------------------------------------------------------

port=$("$PYTHON" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
')
base="http://127.0.0.1:$port"
export PEERDIAG_SITE_URL="$base"
"$PEERDIAG" runserver --noreload "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!

up=""
for _ in $(seq 1 60); do
  if ! kill -0 "$server" 2>/dev/null; then
    fail "the server stopped: $(tail -n 1 "$work/server.log")"
  fi
  if "$PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "$base/sign-in/" 2>/dev/null; then
    up=yes
    break
  fi
  sleep 0.5
done
[[ -n "$up" ]] || fail "the server did not answer on $base/sign-in/ within 30 seconds"

# --- The screenshots --------------------------------------------------------------------------

"$PYTHON" scripts/user_guide_screenshots.py "$base" "$OUT" "$overview" ||
  exit 1
echo "Done in $(($(date +%s) - started)) seconds (diagnostic $reference)."
