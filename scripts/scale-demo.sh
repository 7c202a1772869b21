#!/usr/bin/env bash
# Scale-out on one machine: two web processes (gunicorn) and two task workers (db_worker)
# sharing one PostgreSQL database, with uploads in S3-compatible object storage (moto's S3
# server stands in for AWS S3 or MinIO). Then a smoke check that exercises all of them.
#
#   scripts/scale-demo.sh          # start everything, check it, stop and clean up
#   scripts/scale-demo.sh --keep   # ... and leave it running until Ctrl-C
#
# Needs: .venv (make run or make install), PostgreSQL that accepts
# postgres://postgres@127.0.0.1:5432 (set PG_URL for another server), moto_server on PATH.
# Creates and drops its own database, peerdiag_scale_demo_<pid>. Ports: WEB1_PORT (8101),
# WEB2_PORT (8102), S3_PORT (8103). See docs/operations.md, "Scale-out".
set -euo pipefail

cd "$(dirname "$0")/.."
BIN="${BIN:-$PWD/.venv/bin}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
WEB1_PORT="${WEB1_PORT:-8101}"
WEB2_PORT="${WEB2_PORT:-8102}"
S3_PORT="${S3_PORT:-8103}"
TASKS="${TASKS:-200}"
KEEP="${1:-}"
DB="peerdiag_scale_demo_$$"
RUN_DIR="$(mktemp -d -t peerdiag-scale-XXXXXX)"
PIDS=()

say() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  if [ "$status" -ne 0 ]; then
    echo "Logs kept in $RUN_DIR" >&2
  else
    rm -rf "$RUN_DIR"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() {  # wait_for URL SECONDS
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || fail "nothing answered at $1 (logs: $RUN_DIR)"
    sleep 0.2
  done
}

# --- The settings every process shares --------------------------------------------------
export PEERDIAG_PROFILE=production
PEERDIAG_SECRET_KEY="$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))')"
PEERDIAG_CASE_KEYS="$("$BIN/python" -c \
  'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
export PEERDIAG_SECRET_KEY PEERDIAG_CASE_KEYS
export PEERDIAG_ALLOWED_HOSTS=127.0.0.1,localhost
# The demo speaks plain HTTP on localhost; a real deployment ends TLS at the load balancer and
# keeps the redirect on (PEERDIAG_BEHIND_PROXY=true, PEERDIAG_SSL_REDIRECT left at true).
export PEERDIAG_SSL_REDIRECT=false
export DATABASE_URL="$PG_URL/$DB"
export PEERDIAG_TASKS_BACKEND=django_tasks_db.DatabaseBackend
export PEERDIAG_STORAGE=s3 PEERDIAG_S3_BUCKET=peerdiag-demo PEERDIAG_S3_REGION=eu-west-2
export PEERDIAG_S3_ENDPOINT_URL="http://127.0.0.1:$S3_PORT"
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo
export PEERDIAG_VAR_DIR="$RUN_DIR"
export PEERDIAG_LOG_FORMAT=json PEERDIAG_LOG_LEVEL=INFO
export PEERDIAG_EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend

say "Object storage: moto S3 server on :$S3_PORT"
moto_server -H 127.0.0.1 -p "$S3_PORT" >"$RUN_DIR/s3.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$S3_PORT/moto-api/" 20
"$BIN/python" - <<'PY'
import os

import boto3

s3 = boto3.client("s3", endpoint_url=os.environ["PEERDIAG_S3_ENDPOINT_URL"],
                  region_name=os.environ["PEERDIAG_S3_REGION"])
s3.create_bucket(Bucket=os.environ["PEERDIAG_S3_BUCKET"],
                 CreateBucketConfiguration={"LocationConstraint": os.environ["PEERDIAG_S3_REGION"]})
PY

say "Database $DB: migrate; static files: collectstatic"
psql "$PG_URL/postgres" -qc "CREATE DATABASE $DB" >/dev/null
"$BIN/peerdiag" migrate --noinput -v 0
"$BIN/peerdiag" createcachetable
"$BIN/peerdiag" collectstatic --noinput -v 0

say "Two web processes (gunicorn, 2 workers each) on :$WEB1_PORT and :$WEB2_PORT"
for port in "$WEB1_PORT" "$WEB2_PORT"; do
  "$BIN/gunicorn" peerdiag.wsgi -w 2 -b "127.0.0.1:$port" --timeout 30 \
    --access-logfile - >"$RUN_DIR/web-$port.log" 2>&1 &
  PIDS+=($!)
done

say "Two task workers (peerdiag db_worker)"
for n in 1 2; do
  "$BIN/peerdiag" db_worker --worker-id "worker-$n" --interval 0.5 --no-reload \
    >"$RUN_DIR/worker-$n.log" 2>&1 &
  PIDS+=($!)
done

for port in "$WEB1_PORT" "$WEB2_PORT"; do wait_for "http://127.0.0.1:$port/healthz/" 30; done

say "Smoke check"
started=$SECONDS
for port in "$WEB1_PORT" "$WEB2_PORT"; do
  body="$(curl -fsS "http://127.0.0.1:$port/healthz/")"
  [ "$body" = '{"status": "ok", "database": "ok"}' ] || fail "health on :$port said $body"
  page="$(curl -fsS "http://127.0.0.1:$port/sign-in/")"
  css="$(grep -o '/static/peerdiag/app\.[0-9a-f]*\.css' <<<"$page" | head -1)"
  [ -n "$css" ] || fail "no hashed stylesheet on :$port's sign-in page"
  curl -fsS -o /dev/null "http://127.0.0.1:$port$css" || fail "WhiteNoise did not serve $css"
  echo "web :$port  health ok, sign-in page ok, static file ok"
done

# An upload saved by one process is read back by another, and lives in the bucket.
"$BIN/peerdiag" shell --no-imports -c '
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
print("saved", default_storage.save("demo/hello.txt", ContentFile(b"shared by every process")))
'
"$BIN/python" - <<'PY'
import os

import boto3

s3 = boto3.client("s3", endpoint_url=os.environ["PEERDIAG_S3_ENDPOINT_URL"],
                  region_name=os.environ["PEERDIAG_S3_REGION"])
keys = [o["Key"] for o in s3.list_objects_v2(Bucket=os.environ["PEERDIAG_S3_BUCKET"])["Contents"]]
assert keys == ["demo/hello.txt"], keys
print("bucket holds", keys)
PY
"$BIN/peerdiag" shell --no-imports -c '
from django.core.files.storage import default_storage
with default_storage.open("demo/hello.txt") as f:
    assert f.read() == b"shared by every process"
print("read back by another process: ok")
'
[ -z "$(find "$RUN_DIR" -path '*media*' -type f)" ] || fail "an upload landed on local disk"

# The cache (the API's rate-limit counters) is shared too: the database cache.
"$BIN/peerdiag" shell --no-imports -c '
from django.core.cache import cache
cache.set("scale-demo", "seen by every process", 60)
'
"$BIN/peerdiag" shell --no-imports -c '
from django.core.cache import cache
assert cache.get("scale-demo") == "seen by every process", cache.get("scale-demo")
print("cache shared between processes: ok")
'

# Tasks queued in the shared database are shared out between the two workers.
"$BIN/peerdiag" shell --no-imports -c "
from peerdiag.documents.tasks import send_document_reminders
for _ in range($TASKS):
    send_document_reminders.enqueue()
print('queued $TASKS tasks')
"
"$BIN/peerdiag" shell --no-imports -c "
import time
from collections import Counter
from django_tasks_db.models import DBTaskResult

deadline = time.monotonic() + 120
while DBTaskResult.objects.filter(status__in=['READY', 'RUNNING']).exists():
    assert time.monotonic() < deadline, 'tasks were not all done within 120 s'
    time.sleep(0.2)
done = DBTaskResult.objects.filter(status='SUCCESSFUL')
by_worker = Counter(w for ids in done.values_list('worker_ids', flat=True) for w in ids)
print('tasks done:', done.count(), 'by worker:', dict(sorted(by_worker.items())))
assert done.count() == $TASKS, DBTaskResult.objects.exclude(status='SUCCESSFUL').first()
if len(by_worker) < 2:
    print('note: one worker took every task (they were quick); both were running')
"
for n in 1 2; do kill -0 "${PIDS[$((2 + n))]}" || fail "worker-$n has stopped"; done
echo "smoke check passed in $((SECONDS - started)) s"

if [ "$KEEP" = "--keep" ]; then
  say "Running: http://127.0.0.1:$WEB1_PORT/ and http://127.0.0.1:$WEB2_PORT/ (Ctrl-C stops)"
  echo "Logs: $RUN_DIR"
  wait
fi
