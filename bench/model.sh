#!/bin/sh
# The department model benchmark: reviewers confirm one labelled set of
# letters, the model learns from them, and another set, never seen, is
# decided with and without it, by the shipped catalogue and by a thin one
# (three words a department: an office that has only begun its
# catalogue).
#
#   bench/model.sh TRAIN_WORK TEST_WORK
#
# TRAIN_WORK and TEST_WORK are work folders kept by
# `KEEP=1 bench/decisions.sh COUNT SEED` with two seeds: their rendered
# letters, labels and archives are used again (TEST_WORK's pages are
# imported once more, into a copy of TRAIN_WORK's archive).  Prints the
# training's cross-validated accuracy and bench/score.py's measures of
# the test letters for each of the four ways of deciding.
#
# KEEP=1 keeps the work folder.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$here/build}
MAILROOM=${MAILROOM:-$BUILD/mailroom}
if [ $# -ne 2 ]; then
	echo "usage: bench/model.sh TRAIN_WORK TEST_WORK" >&2
	exit 64
fi
train=$(cd "$1" && pwd)
test=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mailroom-model.XXXXXX")
if [ -n "${KEEP:-}" ]; then
	echo "work folder: $work" >&2
else
	trap 'rm -rf "$work"' EXIT
fi
mr() { "$MAILROOM" --archive "$work/archive" -q "$@"; }

cp -a "$train/archive" "$work/archive"
# What a reviewer would settle on for each training letter, by its label:
# one `confirm` per group of letters settled alike.
mr letters >"$work/train.jsonl"
python3 - "$train/src/labels.jsonl" "$work/train.jsonl" >"$work/confirm" <<'EOF'
import json, os, sys
labels = {}
for line in open(sys.argv[1], encoding="utf-8"):
    l = json.loads(line)
    labels[l["file"]] = l
groups = {}
for line in open(sys.argv[2], encoding="utf-8"):
    g = json.loads(line)
    l = labels.get(os.path.splitext(os.path.basename(g["source"]))[0])
    if not l:
        continue
    if l["valid"]:
        key = "--mailbox %s --department %s" % (l["mailbox"], l["department"])
    else:
        key = "--invalid=%s" % l["invalid_reason"]
    groups.setdefault(key, []).append(g["tracking_code"])
for key, codes in sorted(groups.items()):
    print(key, " ".join(codes))
EOF
start=$(date +%s.%N)
while read -r args; do
	# shellcheck disable=SC2086
	mr confirm --reviewer bench --why matter $args >/dev/null
done <"$work/confirm"
end=$(date +%s.%N)
awk -v n="$(wc -l <"$work/train.jsonl")" -v s="$start" -v e="$end" \
	'BEGIN { printf "confirmed %d letters in %.1f s\n", n, e - s }'
mr train --reviewer bench

"$MAILROOM" --archive "$work/archive" -q import "$test/in" >/dev/null

# The thin catalogue: the first three words of each department's first
# words line; rules_only: the model never consulted.
python3 - "$here/classifier/catalog.ini" >"$work/thin.ini" <<'EOF'
import sys
dept = False
seen = False
skip = False
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("["):
        dept = line.startswith("[department")
        seen = skip = False
    elif skip and line[:1] in " \t":
        continue
    skip = False
    if dept and line.startswith("words ="):
        skip = True
        if seen:
            continue
        seen = True
        words = line.split("=", 1)[1].split(",")[:3]
        line = "words = " + ",".join(w.strip() for w in words) + "\n"
    sys.stdout.write(line)
EOF
for cat in shipped thin; do
	src=$here/classifier/catalog.ini
	[ "$cat" = thin ] && src=$work/thin.ini
	sed 's/^model_min_letters = .*/model_min_letters = 1000000/' "$src" \
		>"$work/$cat-rules.ini"
	for how in rules model; do
		ini=$src
		[ "$how" = rules ] && ini=$work/$cat-rules.ini
		mr decide --catalog "$ini" >/dev/null 2>&1
		mr letters | jq -c "select(.source | startswith(\"$test/in/\"))" \
			>"$work/$cat-$how.jsonl"
		echo "== $cat catalogue, $how"
		python3 "$here/bench/score.py" "$test/src/labels.jsonl" \
			"$work/$cat-$how.jsonl" | grep -E "^(letters|mailbox|department|model)"
	done
done
