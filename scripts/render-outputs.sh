#!/usr/bin/env bash
# Build every kind of file peerdiag hands out, from the demo data, so a person can look at them:
#
#   the feedback presentation (.pptx)       peerdiag report presentation REF -o FILE
#   the written report (.docx and .pdf)     peerdiag report written REF -o FILE --pdf FILE
#   the case review report (.docx)          peerdiag casereview report REF -o FILE
#   the timetable spreadsheet (.xlsx)       peerdiag timetable export REF --format xlsx -o FILE
#   the attendees spreadsheet (.xlsx)       the file the organiser downloads (template_xlsx)
#
# Then every .pptx, .docx and .xlsx becomes a PDF (LibreOffice, headless) and every PDF becomes
# PNG pages at 60 dots an inch (pdftoppm), which any image viewer shows:
#
#   OUT/        the files as peerdiag writes them
#   OUT/pdf/    LibreOffice's PDF of each Word, PowerPoint and Excel file
#   OUT/png/    the pages, named after the file they come from
#
# Usage: scripts/render-outputs.sh [--out DIR] [--database-url URL]
#
# OUT is var/render/ unless --out says otherwise. The database is the one `make run` uses
# (SQLite in var/, or DATABASE_URL); --database-url reads another one. On the SQLite database,
# a missing or empty one is set up first (migrate, then the demo data); another database is
# only read. A diagnostic is chosen for each file from what the database holds; when none
# fits, the script says so and goes on with the others. It exits 1 when any file failed.
#
# Missing tools are installed with apt-get (Debian's libreoffice-impress, libreoffice-writer,
# libreoffice-calc and fonts-liberation for soffice; poppler-utils for pdftoppm), after saying
# so; that takes a few minutes the first time.
set -euo pipefail
umask 077 # like the rest of var/: the files may hold a council's real findings

cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=var/render
VENV=${VENV:-.venv}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -o | --out)
      OUT=${2:?--out needs a folder}
      shift 2
      ;;
    --database-url)
      export DATABASE_URL=${2:?--database-url needs an address}
      shift 2
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "render-outputs: unknown option $1 (try --help)" >&2
      exit 2
      ;;
  esac
done

PEERDIAG="$VENV/bin/peerdiag"
PYTHON="$VENV/bin/python"
if [[ ! -x "$PEERDIAG" ]]; then
  echo "render-outputs: $PEERDIAG is missing: run 'make run' (or 'make venv') first" >&2
  exit 2
fi
export DJANGO_SETTINGS_MODULE=peerdiag.settings
started=$(date +%s)

# --- Tools ----------------------------------------------------------------------------------

apt_install() {
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@"
}

if ! command -v soffice >/dev/null; then
  echo "LibreOffice (soffice) is missing: installing Debian's libreoffice-impress," \
    "libreoffice-writer and libreoffice-calc with apt-get. This takes a few minutes."
  apt_install libreoffice-impress libreoffice-writer libreoffice-calc fonts-liberation
fi
if ! command -v pdftoppm >/dev/null; then
  echo "pdftoppm is missing: installing Debian's poppler-utils with apt-get."
  apt_install poppler-utils
fi
if ! fc-list 2>/dev/null | grep -qi "Liberation Sans"; then
  # Arial's and Helvetica's widths: without them LibreOffice draws Arial with a wider font.
  echo "Liberation Sans is missing: installing Debian's fonts-liberation with apt-get."
  apt_install fonts-liberation
fi

# --- The database ---------------------------------------------------------------------------

py() { # py CODE [ARG...]: run CODE with Django set up; ARGs are its sys.argv[1:]
  local code=$1
  shift
  "$PYTHON" -c "import django; django.setup()
$code" "$@"
}

count_diagnostics() {
  py 'from peerdiag.diagnostics.models import Diagnostic; print(Diagnostic.objects.count())' \
    2>/dev/null || echo none
}

if [[ -z "${DATABASE_URL:-}" ]]; then
  var_dir=${PEERDIAG_VAR_DIR:-var}
  mkdir -p "$var_dir" && chmod 700 "$var_dir"
  "$PEERDIAG" migrate --noinput -v0
  if [[ $(count_diagnostics) == 0 ]]; then
    echo "The database in $var_dir/ has no diagnostics: loading the demo data (peerdiag demo)."
    "$PEERDIAG" demo >/dev/null
  fi
fi
found=$(count_diagnostics)
if [[ "$found" == none || "$found" == 0 ]]; then
  echo "render-outputs: the database has no diagnostics to build files from" \
    "(or cannot be read: is it migrated?)" >&2
  exit 2
fi

# One diagnostic for each file, from what the database holds: printed as NAME=VALUE lines.
choices=$(py '
from peerdiag.casereview.enums import AuditStatus
from peerdiag.casereview.models import CaseReview
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.reports.domain.content import feedback_for
from peerdiag.timetable.models import Attendee, TimetableVersion

def first(refs):
    return next(iter(refs), "")

approved, drafts = "", []
for d in Diagnostic.objects.order_by("reference"):
    fb = feedback_for(d)
    if fb.strengths or fb.areas:
        approved = approved or d.reference
    else:
        fb = feedback_for(d, draft=True)
        if fb.strengths or fb.areas:
            drafts.append(d.reference)
print("FEEDBACK=" + (approved or first(drafts)))
print("FEEDBACK_DRAFT=" + ("" if approved or not drafts else "--draft"))
reviews = CaseReview.objects.order_by("diagnostic__reference")
audited = reviews.filter(cases__audit__status=AuditStatus.DONE).distinct()
print("REVIEW=" + first(r.diagnostic.reference for r in (audited or reviews)))
print("TIMETABLE=" + first(
    TimetableVersion.objects.order_by("diagnostic__reference")
    .values_list("diagnostic__reference", flat=True)
))
print("ATTENDEES=" + first(
    Attendee.objects.order_by("diagnostic__reference")
    .values_list("diagnostic__reference", flat=True)
))
')
FEEDBACK="" FEEDBACK_DRAFT="" REVIEW="" TIMETABLE="" ATTENDEES=""
while IFS='=' read -r name value; do
  case "$name" in
    FEEDBACK | FEEDBACK_DRAFT | REVIEW | TIMETABLE | ATTENDEES) printf -v "$name" '%s' "$value" ;;
  esac
done <<<"$choices"

# --- The files ------------------------------------------------------------------------------

mkdir -p "$OUT/pdf" "$OUT/png"
made=()     # the files written, in order
failed=()   # what went wrong
skipped=()  # what this database could not give

step() { # step LABEL FILE COMMAND...: run it, and remember the file or the failure
  local label=$1 file=$2
  shift 2
  if "$@" >/dev/null; then
    echo "Wrote $file"
    made+=("$file")
  else
    failed+=("$label: the command failed: $*")
  fi
}

if [[ -n "$FEEDBACK" ]]; then
  if [[ -n "$FEEDBACK_DRAFT" ]]; then
    echo "No diagnostic has approved findings: the presentation and report of $FEEDBACK are drafts."
  fi
  draft=()
  if [[ -n "$FEEDBACK_DRAFT" ]]; then
    draft=(--draft)
  fi
  f="$OUT/$FEEDBACK-presentation.pptx"
  step "feedback presentation" "$f" \
    "$PEERDIAG" report presentation "$FEEDBACK" -o "$f" "${draft[@]}"
  f="$OUT/$FEEDBACK-written-report.docx"
  step "written report" "$f" \
    "$PEERDIAG" report written "$FEEDBACK" -o "$f" --pdf "${f%.docx}.pdf" "${draft[@]}"
  if [[ -f "${f%.docx}.pdf" ]]; then
    echo "Wrote ${f%.docx}.pdf"
    made+=("${f%.docx}.pdf")
  fi
else
  skipped+=("feedback presentation and written report: no diagnostic has any findings")
fi

if [[ -n "$REVIEW" ]]; then
  f="$OUT/$REVIEW-case-review.docx"
  step "case review report" "$f" "$PEERDIAG" casereview report "$REVIEW" -o "$f"
else
  # The report's layout can still be seen: build_docx takes plain counts, no database needed.
  f="$OUT/sample-case-review.docx"
  echo "No diagnostic has a case record review: writing $f from made-up counts instead."
  skipped+=("case review report from the database: no diagnostic has a case record review")
  step "case review report (sample)" "$f" py '
import sys
from pathlib import Path
from peerdiag.casereview.domain.report import DomainTheme, ReportData, build_docx
from peerdiag.casereview.enums import AuditDomain, Grade
grades = [str(g.label) for g in Grade]
themes = [
    DomainTheme(str(label), {g: (i + j) % 4 for j, g in enumerate(grades)})
    for i, label in enumerate(AuditDomain.labels)
]
data = ReportData(
    reference="RPD-SAMPLE", council="Sample council", cases_audited=12, auditors=3,
    domains=themes, overall={g: n for g, n in zip(grades, [2, 5, 4, 1, 0])},
    strengths="Sample: children are seen alone and their views are recorded.",
    improvements="Sample: plans do not always say who does what by when.",
)
Path(sys.argv[1]).write_bytes(build_docx(data))
' "$f"
fi

if [[ -n "$TIMETABLE" ]]; then
  f="$OUT/$TIMETABLE-timetable.xlsx"
  step "timetable spreadsheet" "$f" \
    "$PEERDIAG" timetable export "$TIMETABLE" --format xlsx -o "$f"
else
  skipped+=("timetable spreadsheet: no diagnostic has a published timetable")
fi

if [[ -n "$ATTENDEES" ]]; then
  f="$OUT/$ATTENDEES-attendees.xlsx"
  step "attendees spreadsheet" "$f" py '
import sys
from pathlib import Path
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.timetable.domain.spreadsheet import template_xlsx
d = Diagnostic.objects.get(reference=sys.argv[1])
Path(sys.argv[2]).write_bytes(template_xlsx(d))
' "$ATTENDEES" "$f"
else
  skipped+=("attendees spreadsheet: no diagnostic has attendees")
fi

# --- PDF and PNG ----------------------------------------------------------------------------

office=()
for f in "${made[@]}"; do
  case "$f" in *.pptx | *.docx | *.xlsx) office+=("$f") ;; esac
done
if [[ ${#office[@]} -gt 0 ]]; then
  # A profile of its own, so a LibreOffice already open on the desktop does not take the job.
  profile=$(mktemp -d)
  echo "Converting ${#office[@]} files to PDF with LibreOffice..."
  if ! timeout 600 soffice -env:UserInstallation="file://$profile" --headless \
    --convert-to pdf --outdir "$OUT/pdf" "${office[@]}" >"$OUT/pdf/soffice.log" 2>&1; then
    failed+=("LibreOffice: the conversion failed or took over 10 minutes (see $OUT/pdf/soffice.log)")
  fi
  rm -rf "$profile"
fi

pdfs=()
for f in "${made[@]}"; do
  name=$(basename "$f")
  case "$f" in
    *.pdf) pdfs+=("$f|${name%.pdf}-pdf") ;;
    *) pdfs+=("$OUT/pdf/${name%.*}.pdf|${name%.*}-${name##*.}") ;;
  esac
done
echo
echo "Files in $OUT (pages as PNG in $OUT/png):"
for pair in "${pdfs[@]}"; do
  pdf=${pair%%|*}
  prefix=${pair##*|}
  if [[ ! -f "$pdf" ]]; then
    failed+=("$prefix: no PDF was made")
    continue
  fi
  rm -f "$OUT/png/$prefix"-*.png
  if pdftoppm -png -r 60 "$pdf" "$OUT/png/$prefix"; then
    pages=$(find "$OUT/png" -name "$prefix-*.png" | wc -l)
    printf '  %-55s %3d pages\n' "${prefix}" "$pages"
  else
    failed+=("$prefix: pdftoppm could not read $pdf")
  fi
done

echo
for line in "${skipped[@]}"; do
  echo "Skipped: $line"
done
for line in "${failed[@]}"; do
  echo "Failed: $line" >&2
done
echo "Done in $(($(date +%s) - started)) seconds."
[[ ${#failed[@]} -eq 0 ]]
