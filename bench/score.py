#!/usr/bin/env python3
"""Score mailroom's decisions against the labels of bench/letters.py.

    bench/score.py LABELS.jsonl LETTERS.jsonl

LETTERS is `mailroom letters` output; a letter is matched to its label by
its source file's name.  Prints one line per measure: accuracy of
mailbox, validity, invalid reason, department (valid letters), writer
name, phone and ID number (where the label has one), and precision,
recall and F1 of repeat and risk flags; and, when the department model
decided any department, how many of those it got right.
"""

import json
import os
import re
import sys


def digits(s):
    return re.sub(r"\D", "", s or "")


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main():
    labels = {}
    for line in open(sys.argv[1], encoding="utf-8"):
        l = json.loads(line)
        labels[l["file"]] = l
    got = {}
    for line in open(sys.argv[2], encoding="utf-8"):
        g = json.loads(line)
        name = os.path.splitext(os.path.basename(g["source"]))[0]
        got.setdefault(name, g)
    acc = {k: [0, 0] for k in ("mailbox", "validity", "invalid_reason", "department", "writer_name", "writer_phone", "writer_id")}
    flags = {k: [0, 0, 0] for k in ("repeat", "risk")}
    model = [0, 0]  # departments the model decided, right ones
    wrong = []

    def count(key, ok, what):
        acc[key][0] += ok
        acc[key][1] += 1
        if not ok:
            wrong.append("%s %s: %s" % (what, key, "" if ok else "wrong"))

    for name, l in sorted(labels.items()):
        g = got.get(name)
        if g is None:
            wrong.append("%s: not archived" % name)
            continue
        w = g.get("writer") or {}
        count("mailbox", g["mailbox"] == l["mailbox"], "%s (%s, want %s)" % (name, g["mailbox"], l["mailbox"]))
        count("validity", g["valid"] == l["valid"], name)
        if not l["valid"]:
            count("invalid_reason", g["validity_reason"] == l["invalid_reason"], "%s (%s, want %s)" % (name, g["validity_reason"], l["invalid_reason"]))
        else:
            count("department", g["department"] == l["department"], "%s (%s, want %s)" % (name, g["department"], l["department"]))
        if ((g.get("reasons") or {}).get("department") or {}).get("by") == "model":
            model[0] += 1
            model[1] += l["valid"] and g["department"] == l["department"]
        lw = l.get("writer")
        if lw:
            count("writer_name", (w.get("name") or "") == lw["name"], "%s (%s, want %s)" % (name, w.get("name"), lw["name"]))
            count("writer_phone", digits(w.get("phone")) == digits(lw["phone"]), "%s (%s, want %s)" % (name, w.get("phone"), lw["phone"]))
            if lw.get("id_number"):
                count("writer_id", (w.get("id_number") or "") == lw["id_number"] and w.get("id_number_state") == "valid", "%s (%s, want %s)" % (name, w.get("id_number"), lw["id_number"]))
        for k in ("repeat", "risk"):
            want, have = bool(l[k]), bool(g.get(k))
            flags[k][0] += want and have
            flags[k][1] += have and not want
            flags[k][2] += want and not have
            if want != have:
                wrong.append("%s %s: %s, want %s" % (name, k, have, want))
    print("letters: %d labelled, %d archived" % (len(labels), len(got)))
    for k, (ok, n) in acc.items():
        if n:
            print("%-15s %5.1f%%  (%d of %d)" % (k, 100.0 * ok / n, ok, n))
    for k, (tp, fp, fn) in flags.items():
        p, r, f = prf(tp, fp, fn)
        print("%-15s precision %.2f recall %.2f F1 %.2f  (tp %d, fp %d, fn %d)" % (k, p, r, f, tp, fp, fn))
    if model[0]:
        print("model took over %d departments, %d of them right" % tuple(model))
    if os.environ.get("VERBOSE"):
        print("\n".join(wrong))


if __name__ == "__main__":
    main()
