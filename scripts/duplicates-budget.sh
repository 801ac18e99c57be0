#!/usr/bin/env bash
# Fails when `duplicates` finds more pairs of repeated code over src/ than the budget in
# scripts/duplicates-budget.txt allows. Run by hand before a commit: `duplicates` is a tool of the
# workplace reverie is developed in, not a Debian package, so check.sh and CI cannot run it.
# When a change removes repeats, lower the budget to the new count in the same commit; raise it
# only on purpose, saying in the commit why the repeat is better than one shared piece of code.
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET_FILE=scripts/duplicates-budget.txt
if ! command -v duplicates >/dev/null; then
  echo "duplicates-budget: the 'duplicates' tool is not on PATH (it is not part of Debian); nothing checked" >&2
  exit 2
fi
budget=$(grep -v '^#' "$BUDGET_FILE" | tr -d '[:space:]')
report=$(duplicates --repo src --seconds 120 --most 200)
if grep -q '^incomplete:' <<<"$report"; then
  printf '%s\n' "$report" >&2
  echo "duplicates-budget: duplicates did not read all of src/; nothing checked" >&2
  exit 2
fi
first=$(head -n1 <<<"$report")
case "$first" in
  "no duplicates"*) pairs=0 ;;
  *) pairs=$(sed -n 's/^\([0-9][0-9]*\) pairs\{0,1\} of places.*/\1/p' <<<"$first") ;;
esac
if [ -z "$pairs" ]; then
  printf '%s\n' "$report" >&2
  echo "duplicates-budget: could not read the pair count from duplicates' first line" >&2
  exit 2
fi
if [ "$pairs" -gt "$budget" ]; then
  printf '%s\n' "$report" >&2
  echo "duplicates-budget: $pairs pairs of repeated code over src/, the budget is $budget ($BUDGET_FILE); share the new repeat (duplicates --change --base main shows it), or raise the budget on purpose and say why in the commit" >&2
  exit 1
fi
if [ "$pairs" -lt "$budget" ]; then
  echo "duplicates-budget: $pairs pairs over src/, budget $budget: lower $BUDGET_FILE to $pairs"
else
  echo "duplicates-budget: $pairs pairs over src/, budget $budget"
fi
