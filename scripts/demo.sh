#!/usr/bin/env bash
# The demo behind `make demo`: the main job on the bundled examples.
# validate -> package -> publish to the local catalogue -> compare.
set -euo pipefail
BIN=${1:-.venv/bin}
OUT=${2:-out}
OB="$BIN/openbook"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1764288000}   # reproducible packages
has() { "$OB" --help | grep -qE "^  $1 "; }

councils="examples/anytown-borough-council.xlsx examples/brookshire-district-council.xlsx examples/castleford-city-council.xlsx"
supplier=$(ls examples/*supplier*.xlsx 2>/dev/null | head -1 || true)
mkdir -p "$OUT"

echo "== 1. Validate the example submissions"
for f in $councils $supplier; do
  "$OB" validate "$f" --format html -o "$OUT/$(basename "${f%.xlsx}")-report.html"
done
echo
echo "== The with-errors example (problems are expected here)"
"$OB" validate examples/anytown-with-errors.xlsx --max-errors 40 -o "$OUT/anytown-with-errors.txt" || true
"$OB" validate examples/anytown-with-errors.xlsx --format html -o "$OUT/anytown-with-errors-report.html" \
   --annotate "$OUT/anytown-with-errors-annotated.xlsx" 2>/dev/null || true

if has package; then
  echo; echo "== 2. Package"
  for f in $councils $supplier; do
    "$OB" package "$f" -o "$OUT/packages"
  done
fi
if has publish; then
  echo; echo "== 3. Publish to the local catalogue (./catalogue)"
  for p in "$OUT"/packages/*/; do
    "$OB" publish "$p" --to catalogue | tail -n 1
  done
fi
if has compare; then
  echo; echo "== 4. Compare the three councils"
  "$OB" compare "$OUT"/packages/anytown-* "$OUT"/packages/brookshire-* "$OUT"/packages/castleford-* \
      --format html -o "$OUT/compare.html"
fi

echo
echo "Done. Results:"
echo "  validation reports:   $OUT/*-report.html"
echo "  with-errors example:  $OUT/anytown-with-errors.txt (text), -report.html, -annotated.xlsx"
has package && echo "  packages:             $OUT/packages/"
has publish && echo "  local catalogue:      catalogue/index.html"
has compare && echo "  comparison report:    $OUT/compare.html"
exit 0
