#!/usr/bin/env python3
"""Survey data/managed-policies/managed-policies.jsonl for shapes a strict
IAM policy parser has to accept (or must not reject): unusual Versions,
Statement as an object, Sids that are not alphanumeric or repeat, Principal
elements in identity policies, odd action and resource strings, every
condition operator spelling, value types, size against the customer limits.

Usage: python3 tools/managed-policies/survey.py [FILE] [--examples N] [--json]

Stdlib only. Prints counts (policies and statements affected) and a few
example policy names per finding. It judges nothing: a finding is a shape the
parser must handle, and the counts say how common it is.
"""

import argparse
import collections
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT = REPO / "data" / "managed-policies" / "managed-policies.jsonl"

BASE_OPERATORS = {
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
    "StringLike", "StringNotLike",
    "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
    "NumericGreaterThan", "NumericGreaterThanEquals",
    "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
    "DateGreaterThan", "DateGreaterThanEquals",
    "Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
    "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
}
STATEMENT_KEYS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                  "Resource", "NotResource", "Condition"}
TOP_KEYS = {"Version", "Id", "Statement"}
SID_RE = re.compile(r"^[A-Za-z0-9]*$")
ACTION_RE = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*?]+$")
VAR_RE = re.compile(r"\$\{([^}]*)\}")


class Survey:
    def __init__(self, examples):
        self.examples = examples
        self.policies = collections.defaultdict(set)   # finding -> policy names
        self.statements = collections.Counter()        # finding -> statement count
        self.samples = collections.defaultdict(list)   # finding -> sample strings
        self.tallies = collections.defaultdict(collections.Counter)  # name -> value -> count

    def hit(self, finding, policy, sample=None, statements=1):
        self.policies[finding].add(policy)
        self.statements[finding] += statements
        if sample is not None and len(self.samples[finding]) < self.examples:
            s = f"{policy}: {sample}"
            if s not in self.samples[finding]:
                self.samples[finding].append(s)

    def tally(self, name, value, n=1):
        self.tallies[name][value] += n


def listify(x):
    return x if isinstance(x, list) else [x]


def nonspace_len(doc):
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    return len(text)


def survey_resource(sv, name, elem, r):
    if not isinstance(r, str):
        sv.hit(f"{elem} entry is not a string", name, repr(r))
        return
    if r == "*":
        return
    if r != r.strip() or any(c.isspace() for c in r):
        sv.hit(f"{elem} entry contains whitespace", name, repr(r))
    if not r.startswith("arn:"):
        sv.hit(f"{elem} entry is neither '*' nor an ARN", name, r)
        return
    parts = r.split(":", 5)
    if len(parts) < 6:
        sv.hit(f"{elem} ARN has fewer than six ':'-separated parts", name, r)
        return
    _, partition, service, region, account, rest = parts
    sv.tally("resource partition", partition)
    if "*" in service or "?" in service:
        sv.hit(f"{elem} ARN has a wildcard in the service segment", name, r)
    head = ":".join(parts[:5])
    if "${" in head:
        sv.hit(f"{elem} ARN has a variable before the fifth colon", name, r)
    if "${" in rest:
        sv.hit(f"{elem} ARN uses a policy variable", name, r)
        for v in VAR_RE.findall(rest):
            sv.tally("variables in Resource", v)
    if partition not in ("aws", "*", "${aws:partition}"):
        sv.hit(f"{elem} ARN partition is not 'aws' or '*'", name, r)
    # Heuristic: a wildcard inside the resource-type word (text before the
    # first '/' or ':' of the resource part), for services whose resource part
    # starts with a type word. S3 and a few others have no type word.
    if service not in ("s3", "s3-object-lambda", "sns", "sqs", "execute-api", "apigateway", "iam"):
        m = re.match(r"^([^/:]*)[/:]", rest)
        if m and ("*" in m.group(1) or "?" in m.group(1)) and m.group(1) != "*":
            sv.hit(f"{elem} ARN: wildcard inside a resource-type word (heuristic)", name, r)
    if rest == "":
        sv.hit(f"{elem} ARN has an empty resource part", name, r)


def survey_action(sv, name, elem, a):
    if not isinstance(a, str):
        sv.hit(f"{elem} entry is not a string", name, repr(a))
        return
    if a == "*":
        sv.tally(f"{elem} form", "'*' alone")
        return
    if a != a.strip() or any(c.isspace() for c in a):
        sv.hit(f"{elem} entry contains whitespace", name, repr(a))
    if a.count(":") != 1:
        sv.hit(f"{elem} entry does not have exactly one ':'", name, a)
        return
    prefix, act = a.split(":")
    if "*" in prefix or "?" in prefix:
        sv.hit(f"{elem} entry has a wildcard in the service prefix", name, a)
    if prefix != prefix.lower():
        sv.hit(f"{elem} service prefix is not lower-case", name, a)
    if act == "":
        sv.hit(f"{elem} entry has an empty action name", name, a)
    elif not ACTION_RE.match(a):
        sv.hit(f"{elem} entry has characters outside [a-z0-9-]:[A-Za-z0-9*?]", name, a)
    if act and act[0].islower() and not act.startswith("*"):
        sv.hit(f"{elem} action name starts lower-case", name, a)
    if "?" in act:
        sv.hit(f"{elem} action uses '?'", name, a)
    if "*" in act:
        if act == "*":
            sv.tally(f"{elem} form", "service:*")
        elif act.endswith("*") and act.count("*") == 1:
            sv.tally(f"{elem} form", "trailing *")
        else:
            sv.hit(f"{elem} action has a leading or infix '*'", name, a)
            sv.tally(f"{elem} form", "leading/infix *")
    else:
        sv.tally(f"{elem} form", "exact")


def survey_condition(sv, name, cond):
    if not isinstance(cond, dict):
        sv.hit("Condition is not an object", name, repr(cond))
        return
    if not cond:
        sv.hit("Condition is an empty object", name, "{}")
    for op, block in cond.items():
        sv.tally("condition operator (as written)", op)
        base = op
        qual = None
        for q in ("ForAnyValue:", "ForAllValues:"):
            if base.startswith(q):
                qual, base = q[:-1], base[len(q):]
        ifexists = base.endswith("IfExists")
        if ifexists:
            base = base[: -len("IfExists")]
        if base not in BASE_OPERATORS:
            if base.lower() in {b.lower() for b in BASE_OPERATORS}:
                sv.hit("condition operator in a non-canonical letter case", name, op)
            else:
                sv.hit("unknown condition operator", name, op)
        if base == "Null" and ifexists:
            sv.hit("NullIfExists", name, op)
        if qual and base == "Null":
            sv.hit("set qualifier on Null", name, op)
        if not isinstance(block, dict):
            sv.hit("condition operator body is not an object", name, f"{op}: {block!r}")
            continue
        if not block:
            sv.hit("condition operator body is empty", name, op)
        for key, values in block.items():
            sv.tally("condition key namespace", key.split(":")[0].lower() if ":" in key else "(no ':')")
            if ":" not in key:
                sv.hit("condition key without a ':'", name, f"{op} {key}")
            if key != key.strip():
                sv.hit("condition key with surrounding whitespace", name, repr(key))
            vals = listify(values)
            if isinstance(values, list):
                sv.tally("condition value shape", "list")
                if not values:
                    sv.hit("condition value is an empty list", name, f"{op} {key}")
                if len(values) != len(set(map(json.dumps, values))):
                    sv.hit("condition value list repeats a value", name, f"{op} {key}")
            else:
                sv.tally("condition value shape", "scalar")
            for v in vals:
                sv.tally("condition value JSON type", type(v).__name__)
                if isinstance(v, bool):
                    sv.hit(f"condition value is a JSON boolean ({base})", name, f"{op} {key}: {json.dumps(v)}")
                elif isinstance(v, (int, float)):
                    sv.hit(f"condition value is a JSON number ({base})", name, f"{op} {key}: {v}")
                elif isinstance(v, (dict, list)) or v is None:
                    sv.hit("condition value is null/object/nested list", name, f"{op} {key}: {v!r}")
                    continue
                s = v if isinstance(v, str) else json.dumps(v)
                if isinstance(v, str):
                    if "${" in s:
                        for var in VAR_RE.findall(s):
                            sv.tally("variables in Condition values", var)
                        if base.startswith(("Numeric", "Date", "IpAddress", "NotIpAddress", "Binary", "Null")):
                            sv.hit(f"policy variable in a {base} value", name, f"{op} {key}: {s}")
                    if s != s.strip():
                        sv.hit("condition value with surrounding whitespace", name, f"{op} {key}: {s!r}")
                    if s == "":
                        sv.hit("condition value is an empty string", name, f"{op} {key}")
                if base in ("Bool", "Null") and s.lower() not in ("true", "false") and "${" not in s:
                    sv.hit(f"{base} value is not true/false", name, f"{op} {key}: {s}")
                if base in ("Bool", "Null") and s in ("True", "False", "TRUE", "FALSE"):
                    sv.hit(f"{base} value in a non-lower case", name, f"{op} {key}: {s}")
                if base.startswith("Numeric") and not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", s):
                    sv.hit("Numeric value outside -?[0-9]+(.[0-9]+)?", name, f"{op} {key}: {s}")
                if base.startswith("Date") and not (
                    re.fullmatch(r"-?[0-9]+", s)
                    or re.fullmatch(r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?", s)
                ):
                    sv.hit("Date value outside the W3C profile / epoch", name, f"{op} {key}: {s}")
                if base in ("IpAddress", "NotIpAddress") and not re.fullmatch(r"[0-9a-fA-F:.]+(/\d{1,3})?", s):
                    sv.hit("IP value that is not an address or CIDR", name, f"{op} {key}: {s}")
                if base.startswith("Arn") and not (s.startswith("arn:") or s == "*" or s.startswith("${")):
                    sv.hit(f"{base} value that is not an ARN pattern", name, f"{op} {key}: {s}")
                if base in ("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
                            "StringNotEqualsIgnoreCase") and ("*" in s or "?" in s):
                    sv.hit(f"wildcard character in a {base} value (literal there)", name, f"{op} {key}: {s}")


def survey_policy(sv, rec):
    name = rec["name"]
    doc = rec["document"]
    arn = rec["arn"]
    path = arn.split(":policy/", 1)[1].rsplit("/", 1)
    sv.tally("policy path", path[0] + "/" if len(path) == 2 else "/")
    if not isinstance(doc, dict):
        sv.hit("document is not an object", name, repr(doc)[:80])
        return
    for k in doc:
        if k not in TOP_KEYS:
            sv.hit("unknown top-level element", name, k)
    if "Version" not in doc:
        sv.hit("Version missing", name, "")
        sv.tally("Version", "(missing)")
    else:
        sv.tally("Version", json.dumps(doc["Version"]))
        if doc["Version"] != "2012-10-17":
            sv.hit("Version other than 2012-10-17", name, json.dumps(doc["Version"]))
    if "Id" in doc:
        sv.hit("Id element present", name, json.dumps(doc["Id"]))
    size = nonspace_len(doc)
    if size > 6144:
        sv.hit("size > 6,144 chars (customer managed policy limit)", name, str(size))
    if size > 10240:
        sv.hit("size > 10,240 chars (role inline aggregate limit)", name, str(size))
    if "Statement" not in doc:
        sv.hit("Statement missing", name, "")
        return
    st = doc["Statement"]
    if isinstance(st, dict):
        sv.hit("Statement is a single object (not a list)", name, "")
        statements = [st]
    elif isinstance(st, list):
        statements = st
        if not st:
            sv.hit("Statement is an empty list", name, "")
    else:
        sv.hit("Statement is neither object nor list", name, repr(st)[:80])
        return
    sids = []
    for i, s in enumerate(statements):
        sv.tally("statements", "total")
        if not isinstance(s, dict):
            sv.hit("statement is not an object", name, repr(s)[:80])
            continue
        if not s:
            sv.hit("statement is an empty object", name, f"#{i}")
        for k in s:
            if k not in STATEMENT_KEYS:
                sv.hit("unknown statement element", name, f"#{i} {k}")
        if "Sid" in s:
            sid = s["Sid"]
            if not isinstance(sid, str):
                sv.hit("Sid is not a string", name, repr(sid))
            else:
                sids.append(sid)
                if sid == "":
                    sv.hit("Sid is an empty string", name, f"#{i}")
                elif not SID_RE.match(sid):
                    sv.hit("Sid has characters outside [A-Za-z0-9]", name, repr(sid))
                    for ch in sorted(set(c for c in sid if not c.isalnum() or not c.isascii())):
                        sv.tally("non-alphanumeric Sid characters", repr(ch))
        else:
            sv.tally("statements", "without Sid")
        eff = s.get("Effect")
        sv.tally("Effect", json.dumps(eff))
        if eff not in ("Allow", "Deny"):
            sv.hit("Effect missing or not exactly Allow/Deny", name, json.dumps(eff))
        for p in ("Principal", "NotPrincipal"):
            if p in s:
                sv.hit(f"{p} element in a managed (identity) policy", name, json.dumps(s[p])[:120])
        has_a, has_na = "Action" in s, "NotAction" in s
        if has_a and has_na:
            sv.hit("both Action and NotAction", name, f"#{i}")
        if not has_a and not has_na:
            sv.hit("neither Action nor NotAction", name, f"#{i}")
        for elem in ("Action", "NotAction"):
            if elem in s:
                v = s[elem]
                sv.tally(f"{elem} JSON shape", "string" if isinstance(v, str) else "list" if isinstance(v, list) else type(v).__name__)
                if elem == "NotAction":
                    sv.hit("NotAction used", name, f"{eff} {json.dumps(v)[:100]}")
                if isinstance(v, list):
                    if not v:
                        sv.hit(f"{elem} is an empty list", name, f"#{i}")
                    if len(v) != len(set(map(json.dumps, v))):
                        dups = [x for x, c in collections.Counter(map(json.dumps, v)).items() if c > 1]
                        sv.hit(f"{elem} list repeats an entry (exact)", name, ", ".join(dups[:3]))
                    lowered = [x.lower() for x in v if isinstance(x, str)]
                    if len(lowered) != len(set(lowered)) and len(v) == len(set(map(json.dumps, v))):
                        sv.hit(f"{elem} list repeats an entry differing only in case", name, f"#{i}")
                for a in listify(v):
                    survey_action(sv, name, elem, a)
        has_r, has_nr = "Resource" in s, "NotResource" in s
        if has_r and has_nr:
            sv.hit("both Resource and NotResource", name, f"#{i}")
        if not has_r and not has_nr:
            sv.hit("neither Resource nor NotResource", name, f"#{i}")
        for elem in ("Resource", "NotResource"):
            if elem in s:
                v = s[elem]
                sv.tally(f"{elem} JSON shape", "string" if isinstance(v, str) else "list" if isinstance(v, list) else type(v).__name__)
                if elem == "NotResource":
                    sv.hit("NotResource used", name, f"{eff} {json.dumps(v)[:100]}")
                if isinstance(v, list):
                    if not v:
                        sv.hit(f"{elem} is an empty list", name, f"#{i}")
                    if len(v) != len(set(map(json.dumps, v))):
                        sv.hit(f"{elem} list repeats an entry", name, f"#{i}")
                for r in listify(v):
                    survey_resource(sv, name, elem, r)
        if "Condition" in s:
            sv.tally("statements", "with Condition")
            survey_condition(sv, name, s["Condition"])
    counts = collections.Counter(sids)
    dup = [k for k, c in counts.items() if c > 1]
    if dup:
        sv.hit("duplicate Sid within a policy (exact)", name, ", ".join(repr(d) for d in dup[:4]))
    lower = collections.Counter(x.lower() for x in sids)
    dup_ci = [k for k, c in lower.items() if c > 1 and k not in {d.lower() for d in dup}]
    if dup_ci:
        sv.hit("Sids equal except for letter case", name, ", ".join(dup_ci[:4]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", nargs="?", default=str(DEFAULT))
    ap.add_argument("--examples", type=int, default=3, help="example policies per finding")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    args = ap.parse_args()
    sv = Survey(args.examples)
    n = 0
    with open(args.file, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                survey_policy(sv, json.loads(line))
                n += 1
    if args.json:
        out = {
            "policies": n,
            "findings": {
                k: {"policies": len(v), "statements": sv.statements[k], "examples": sv.samples[k]}
                for k, v in sorted(sv.policies.items())
            },
            "tallies": {k: dict(v.most_common()) for k, v in sorted(sv.tallies.items())},
        }
        json.dump(out, sys.stdout, indent=1, sort_keys=True)
        print()
        return
    print(f"{n} policies in {args.file}\n")
    print("== findings (policies / occurrences) ==")
    for k in sorted(sv.policies, key=lambda k: (-len(sv.policies[k]), k)):
        print(f"{len(sv.policies[k]):6d} {sv.statements[k]:7d}  {k}")
        for s in sv.samples[k]:
            print(f"{'':16}e.g. {s[:150]}")
    print("\n== tallies ==")
    for k in sorted(sv.tallies):
        items = sv.tallies[k].most_common()
        shown = ", ".join(f"{v}={c}" for v, c in items[:40])
        more = f", ... ({len(items) - 40} more)" if len(items) > 40 else ""
        print(f"{k}: {shown}{more}")


if __name__ == "__main__":
    main()
