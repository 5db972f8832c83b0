#!/usr/bin/env python3
"""Join scenarios, oracle answers and Verdict answers line by line and report
where the decisions differ, grouped by cause.

    python3 tools/differential/compare.py \\
        --scenarios S.jsonl --oracle O.jsonl --verdict V.jsonl [--out-dir DIR]

Inputs are JSON Lines with one line per scenario, in the same order:
  * scenarios: the Verdict scenario format (what gen.py writes);
  * oracle: what shared/tools/oracle/oracle.mjs prints ({"decision", "raw"});
  * verdict: what `verdict simulate --batch FILE --format json` prints
    ({"decision", "denied_by", ...} or {"error": ...}).

Every disagreement gets the categories whose trigger is present in the
scenario (see CATEGORIES below and README.md). The first one that matches
is its primary category. Categories come in four kinds:
  known        the oracle is wrong according to docs/iam-semantics.md
               (research/iam-simulate.md section 5 and our own probes);
  spec-choice  our spec picked a default for an UNCONFIRMED point and the
               oracle picked another; re-check when AWS evidence appears;
  abstain      the oracle could not answer faithfully (error, dropped
               context keys, wildcard request resource);
  unexplained  nothing above applies: triage these first.

Writes DIR/disagreements.jsonl (annotated, one per disagreement) and
DIR/unexplained.jsonl (the bare scenarios, ready to replay through both
engines). Exit status: 0, or 1 when there are unexplained disagreements
(--fail-on), 2 on bad input.
"""

import argparse
import collections
import json
import re
import sys
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

# Multivalued keys (ArrayOf... in the Service Authorization Reference) the
# generator uses or that are common; any other key given as a list is a
# shape mismatch that the oracle resolves by keeping the first element.
MULTIVALUED = {
    "aws:tagkeys", "aws:principalorgpaths", "aws:calledvia", "aws:resourceorgpaths",
    "aws:principalservicenameslist", "dynamodb:attributes", "dynamodb:leadingkeys",
    "dynamodb:select", "s3:requestobjecttagkeys", "kms:encryptioncontextkeys",
    "ec2:attribute", "organizations:servicecontrolpolicytypes",
}
DERIVABLE = {"aws:principalarn", "aws:principalaccount", "aws:username", "aws:userid",
             "aws:principaltype", "aws:principalisawsservice"}
# Services RCPs applied to at launch; replaced by the oracle's iam-data list
# when that is installed (target/differential/oracle/node_modules/...).
RCP_SERVICES_FALLBACK = {"s3", "sts", "kms", "sqs", "secretsmanager"}
RCP_LIST_CANDIDATES = [
    REPO / "target" / "differential" / "oracle" / "node_modules" / "@cloud-copilot" / "iam-data" / "data" / "rcpSupportedServices.json",
]

NEGATED_ARN = ("ArnNotLike", "ArnNotEquals")
NUM_RE = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
EPOCH_RE = re.compile(r"^-?[0-9]+$")

LAYER_NAMES = {"identity": "identity", "resource": "resource", "boundary": "permissions_boundary",
               "session": "session", "scp": "scp", "rcp": "rcp", "vpce": "vpc_endpoint"}


# ------------------------------------------------------------ scenario access

def as_doc(policy):
    """A POLICY in any of the scenario forms -> dict (or None)."""
    if policy is None:
        return None
    if isinstance(policy, str):
        text = policy.strip()
        if text.startswith("%"):
            text = urllib.parse.unquote(text)
        try:
            policy = json.loads(text)
        except ValueError:
            return None
    if isinstance(policy, dict) and "document" in policy and "Statement" not in policy:
        return as_doc(policy["document"])
    return policy if isinstance(policy, dict) else None


def listify(x):
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


def layer_docs(scn):
    """(layer, document) for every policy of the scenario."""
    pol = scn.get("policies") or {}
    for layer in ("identity", "session"):
        for d in listify(pol.get(layer)):
            yield layer, as_doc(d)
    for layer in ("resource", "permissions_boundary"):
        if pol.get(layer) is not None:
            yield layer, as_doc(pol[layer])
    for d in listify(pol.get("vpc_endpoint")):
        yield "vpc_endpoint", as_doc(d)
    for layer in ("scps", "rcps"):
        for level in listify(pol.get(layer)):
            for d in listify(level):
                yield layer, as_doc(d)


def statements(doc):
    if not isinstance(doc, dict):
        return []
    return [s for s in listify(doc.get("Statement")) if isinstance(s, dict)]


def conditions(scn):
    """(layer, operator, key, [values], document) for every condition entry."""
    for layer, doc in layer_docs(scn):
        for st in statements(doc):
            cond = st.get("Condition")
            if not isinstance(cond, dict):
                continue
            for op, block in cond.items():
                if isinstance(block, dict):
                    for key, vals in block.items():
                        yield layer, op, key, listify(vals), doc


def base_operator(op):
    for q in ("ForAnyValue:", "ForAllValues:"):
        if op.startswith(q):
            op = op[len(q):]
    if op.endswith("IfExists"):
        op = op[: -len("IfExists")]
    return op


def context(scn):
    ctx = (scn.get("request") or {}).get("context") or {}
    return {str(k).lower(): v for k, v in ctx.items()}


def walk_strings(x):
    if isinstance(x, str):
        yield x
    elif isinstance(x, list):
        for y in x:
            yield from walk_strings(y)
    elif isinstance(x, dict):
        for k, v in x.items():
            yield k
            yield from walk_strings(v)


def principal_of(scn):
    p = (scn.get("request") or {}).get("principal")
    if isinstance(p, dict):
        return "anonymous" if p.get("type") == "Anonymous" else str(p)
    return p or ""


def principal_kind(arn):
    if arn == "anonymous":
        return "anonymous"
    if not arn.startswith("arn:"):
        return "service"
    if arn.endswith(":root"):
        return "root"
    if ":assumed-role/" in arn or ":role/" in arn:
        return "role"
    if ":federated-user/" in arn:
        return "federated"
    if ":user/" in arn:
        return "user"
    return "other"


def principal_account(arn):
    parts = arn.split(":")
    return parts[4] if arn.startswith("arn:") and len(parts) > 4 else None


def resource_account(scn):
    if scn.get("resource_account"):
        return scn["resource_account"]
    res = (scn.get("request") or {}).get("resource") or ""
    parts = res.split(":")
    if res.startswith("arn:") and len(parts) > 4 and parts[4]:
        return parts[4]
    return principal_account(principal_of(scn))


def is_arn(v):
    return isinstance(v, str) and v.startswith("arn:") and len(v.split(":", 5)) == 6


def date_form(v):
    s = str(v).strip()
    return "epoch" if EPOCH_RE.match(s) else "iso"


def load_rcp_services():
    for path in RCP_LIST_CANDIDATES:
        try:
            return set(json.loads(path.read_text())), str(path)
        except (OSError, ValueError):
            continue
    return set(RCP_SERVICES_FALLBACK), "built-in launch list"


RCP_SERVICES, RCP_SOURCE = load_rcp_services()


# ----------------------------------------------------------------- triggers

def t_ip_zero(scn, o):
    return any(base_operator(op) in ("IpAddress", "NotIpAddress") and any(str(v).endswith("/0") for v in vals)
               for _, op, _, vals, _ in conditions(scn))


def t_date_mix(scn, o):
    ctx = context(scn)
    for _, op, key, vals, _ in conditions(scn):
        if not base_operator(op).startswith("Date"):
            continue
        req = ctx.get(key.lower())
        if req is None:
            continue
        forms = {date_form(v) for v in vals} | {date_form(r) for r in listify(req)}
        if len(forms) > 1:
            return True
    return False


def t_numeric_malformed(scn, o):
    ctx = context(scn)
    for _, op, key, vals, _ in conditions(scn):
        if base_operator(op).startswith("Numeric"):
            req = ctx.get(key.lower())
            if any(not NUM_RE.match(str(r)) for r in listify(req)) or any(not NUM_RE.match(str(v)) for v in vals):
                return True
    return False


def t_legacy_variable(scn, o):
    for _, doc in layer_docs(scn):
        if isinstance(doc, dict) and doc.get("Version") != "2012-10-17":
            if any("${" in s for s in walk_strings(doc.get("Statement"))):
                return True
    return False


def t_arn_negated_non_arn(scn, o):
    ctx = context(scn)
    for _, op, key, vals, _ in conditions(scn):
        if base_operator(op) in NEGATED_ARN:
            req = ctx.get(key.lower())
            if req is not None and any(not is_arn(r) for r in listify(req)):
                return True
    return False


def t_session_bypass(scn, o):
    """Session policy present and the resource policy grants the caller
    directly: session ARN, federated-user ARN, or a wildcard principal
    (iam-semantics 6.3 step 4 / 6.8; the oracle makes the session final)."""
    pol = scn.get("policies") or {}
    if not listify(pol.get("session")):
        return False
    arn = principal_of(scn)
    rp = as_doc(pol.get("resource"))
    for st in statements(rp):
        if st.get("Effect") != "Allow" or "Principal" not in st:
            continue
        pr = st["Principal"]
        if pr == "*":
            return True
        if isinstance(pr, dict):
            aws = listify(pr.get("AWS"))
            if "*" in aws or arn in aws:
                return True
    return False


def t_slr_scp(scn, o):
    arn = principal_of(scn)
    slr = (scn.get("request") or {}).get("service_linked_role") or re.search(
        r":(assumed-role/AWSServiceRoleFor|role/aws-service-role/|role/(.*/)?AWSServiceRoleFor)", arn)
    return bool(slr) and bool(listify((scn.get("policies") or {}).get("scps")))


def t_rcp_service(scn, o):
    if not listify((scn.get("policies") or {}).get("rcps")):
        return False
    svc = str((scn.get("request") or {}).get("action", "")).split(":")[0].lower()
    return svc not in RCP_SERVICES


def resource_patterns(scn):
    for _, doc in layer_docs(scn):
        for st in statements(doc):
            for k in ("Resource", "NotResource"):
                for r in listify(st.get(k)):
                    if isinstance(r, str):
                        yield r


def t_resource_type_wildcard(scn, o):
    for r in resource_patterns(scn):
        parts = r.split(":", 5)
        if len(parts) == 6 and parts[2] not in ("s3", "sns", "sqs", "execute-api"):
            m = re.match(r"^([^/:]*)[/:]", parts[5])
            if m and m.group(1) != "*" and ("*" in m.group(1) or "?" in m.group(1)):
                return True
    return False


def t_short_arn(scn, o):
    return any(r.startswith("arn:") and len(r.split(":")) < 6 for r in resource_patterns(scn))


def t_newline(scn, o):
    return any("\n" in s or "\r" in s for s in walk_strings([scn.get("request"), scn.get("policies")]))


def t_root(scn, o):
    return principal_kind(principal_of(scn)) == "root"


def t_federated_no_session(scn, o):
    return principal_kind(principal_of(scn)) == "federated" and not listify((scn.get("policies") or {}).get("session"))


def t_management(scn, o):
    return bool(scn.get("management_account"))


def t_service_scp(scn, o):
    return principal_kind(principal_of(scn)) == "service" and bool(listify((scn.get("policies") or {}).get("scps")))


def t_binary(scn, o):
    return any(base_operator(op) == "BinaryEquals" for _, op, _, _, _ in conditions(scn))


def t_wildcard_principal_boundary(scn, o):
    pol = scn.get("policies") or {}
    if pol.get("permissions_boundary") is None:
        return False
    if principal_account(principal_of(scn)) != resource_account(scn):
        return False
    for st in statements(as_doc(pol.get("resource"))):
        pr = st.get("Principal")
        if st.get("Effect") == "Allow" and (pr == "*" or (isinstance(pr, dict) and "*" in listify(pr.get("AWS")))):
            return True
    return False


def t_notprincipal(scn, o):
    for layer, doc in layer_docs(scn):
        for st in statements(doc):
            if "NotPrincipal" in st:
                return True
    return False


def t_federated_parent(scn, o):
    arn = principal_of(scn)
    if principal_kind(arn) != "federated":
        return False
    name = arn.rsplit("/", 1)[-1]
    for st in statements(as_doc((scn.get("policies") or {}).get("resource"))):
        pr = st.get("Principal") or st.get("NotPrincipal")
        if isinstance(pr, dict) and any(str(a).endswith(f":user/{name}") for a in listify(pr.get("AWS"))):
            return True
    return False


def t_multivalued_variable(scn, o):
    for s in walk_strings(scn.get("policies")):
        for var in re.findall(r"\$\{([^},]+)", s):
            if var.strip().lower() in MULTIVALUED:
                return True
    return False


def t_plain_on_multivalued(scn, o):
    ctx = context(scn)
    for _, op, key, _, _ in conditions(scn):
        if not op.startswith(("ForAnyValue:", "ForAllValues:")) and base_operator(op) != "Null":
            v = ctx.get(key.lower())
            if isinstance(v, list):
                return True
    return False


def t_set_ifexists(scn, o):
    return any(op.startswith(("ForAnyValue:", "ForAllValues:")) and op.endswith("IfExists")
               for _, op, _, _, _ in conditions(scn))


def t_null_empty_list(scn, o):
    ctx = {k.lower(): v for k, v in context(scn).items()}
    return any(op == "Null" and ctx.get(key.lower()) == [] for _, op, key, _, _ in conditions(scn))


def t_context_shape(scn, o):
    for k, v in context(scn).items():
        if isinstance(v, list) and k not in MULTIVALUED:
            return True
        if not isinstance(v, list) and k in MULTIVALUED:
            return True
    return False


DERIVED_BY_KIND = {
    "anonymous": {"aws:principalaccount", "aws:principaltype", "aws:userid"},
    "service": {"aws:principalisawsservice"},
    "user": DERIVABLE,
    "root": DERIVABLE - {"aws:username"},
    "role": DERIVABLE - {"aws:username"},
    "federated": DERIVABLE - {"aws:username"},
}


def t_derived_context(scn, o):
    derivable = DERIVED_BY_KIND.get(principal_kind(principal_of(scn)), set())
    ctx = context(scn)
    keys = set()
    for _, _, key, _, _ in conditions(scn):
        keys.add(key.lower())
    for s in walk_strings(scn.get("policies")):
        for var in re.findall(r"\$\{([^},]+)", s):
            keys.add(var.strip().lower())
    return any(k in derivable and k not in ctx for k in keys)


def ip_family(v):
    return 6 if ":" in str(v) else 4


def t_ip_family_mismatch(scn, o):
    """NotIpAddress with a bare address (no /prefix) of the other family than
    the request value: true by 4.4.6 (no cross-family match); the oracle
    answers false (seen for IPv4-vs-IPv6 in both directions)."""
    ctx = context(scn)
    for _, op, key, vals, _ in conditions(scn):
        if base_operator(op) == "NotIpAddress":
            req = ctx.get(key.lower())
            if req is None:
                continue
            fams = {ip_family(r) for r in listify(req)}
            if any("/" not in str(v) and ip_family(v) not in fams for v in vals):
                return True
    return False


NEGATED_STRING = ("StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotLike", "ArnNotEquals")


def t_unresolved_variable_negated(scn, o):
    """A negated operator whose policy value holds a variable the request
    cannot resolve: the value is null and the negated operator is true (5.3,
    T80); the oracle makes the condition false."""
    ctx = context(scn)
    for _, op, key, vals, doc in conditions(scn):
        if base_operator(op) not in NEGATED_STRING or not isinstance(doc, dict) or doc.get("Version") != "2012-10-17":
            continue
        for v in vals:
            for var in re.findall(r"\$\{([^}]*)\}", str(v)):
                if "," in var or var in ("*", "?", "$"):
                    continue
                if var.strip().lower() not in ctx:
                    return True
    return False


def t_arn_condition_variable_in_segment(scn, o):
    """An Arn* condition value with a variable before the fifth colon (e.g.
    arn:aws:iam::${aws:PrincipalAccount}:role/x); the oracle does not match it."""
    for _, op, _, vals, _ in conditions(scn):
        if base_operator(op).startswith("Arn"):
            for v in vals:
                head = ":".join(str(v).split(":")[:5])
                if "${" in head:
                    return True
    return False


def unresolved_vars(text, ctx):
    for var in re.findall(r"\$\{([^}]*)\}", str(text)):
        if "," in var or var in ("*", "?", "$"):
            continue
        if var.strip().lower() not in ctx:
            yield var


def t_notresource_unresolved(scn, o):
    """A NotResource entry with a variable the request cannot resolve excludes
    nothing (5.3, T77); the oracle makes the whole statement not apply."""
    ctx = context(scn)
    for _, doc in layer_docs(scn):
        if not isinstance(doc, dict) or doc.get("Version") != "2012-10-17":
            continue
        for st in statements(doc):
            if any(any(True for _ in unresolved_vars(r, ctx)) for r in listify(st.get("NotResource"))):
                return True
    return False


def t_oracle_error(scn, o):
    return o.get("decision") == "error"


def t_oracle_ignored(scn, o):
    raw = o.get("raw") or {}
    if raw.get("ignoredContextKeys"):
        return True
    return any(r.get("ignoredContextKeys") for r in raw.get("results") or [])


def t_oracle_wildcard(scn, o):
    return (o.get("raw") or {}).get("resultType") == "wildcard"


# (name, kind, trigger, what it means[, direction]). Order = priority for the
# primary category. direction "+": the cause can only make Verdict more
# permissive than the oracle (allow > implicit_deny > explicit_deny); "-": only
# less permissive; "-implicit": less permissive and Verdict's answer is an
# implicit deny; absent: either way.
CATEGORIES = [
    ("oracle-error", "abstain", t_oracle_error, "the oracle rejected the scenario (validation or unknown action)"),
    ("oracle-ignored-context", "abstain", t_oracle_ignored, "the oracle dropped context keys it does not list for the action"),
    ("oracle-wildcard-resource", "abstain", t_oracle_wildcard, "request resource has '*': the oracle answers an existential question"),
    ("ip-zero-prefix", "known", t_ip_zero, "IpAddress/NotIpAddress with a /0 block never matches in the oracle (probe 20)"),
    ("date-epoch-iso-mix", "known", t_date_mix, "Date operator mixing epoch and ISO values (oracle: seconds vs ms, probe 21)"),
    ("numeric-malformed", "known", t_numeric_malformed, "Numeric operator with a value outside the decimal grammar (oracle parses leniently, probe 28)"),
    ("legacy-version-variable", "known", t_legacy_variable, "${...} in a 2008-10-17 or Version-less policy is literal text (oracle substitutes, probe 22)"),
    ("arn-negated-non-arn", "known", t_arn_negated_non_arn, "ArnNotLike/ArnNotEquals with a request value that is not an ARN (probe 24; spec U12)"),
    ("session-policy-bypass", "known", t_session_bypass, "resource policy names the session/federated ARN or '*'; session policy must not cut it (probe 26)", "+"),
    ("slr-under-scp", "known", t_slr_scp, "service-linked roles are exempt from SCPs (probe 27)", "+"),
    ("rcp-unsupported-service", "known", t_rcp_service, "RCPs only bind RCP-capable services (probe 29)", "+"),
    ("resource-type-wildcard", "known", t_resource_type_wildcard, "wildcard inside the resource-type word (oracle matches the type literally)"),
    ("newline-in-value", "known", t_newline, "a value contains a newline (oracle regexes do not cross newlines)"),
    ("root-user", "known", t_root, "account root user: implicit own-account access (6.9.5); the oracle has no root handling", "+"),
    ("federated-without-session-policy", "known", t_federated_no_session, "federated-user session without a session policy gets nothing (6.3 step 7, T29)", "-implicit"),
    ("management-account", "known", t_management, "management-account principals are not bound by SCPs (T39); the oracle has no such input", "+"),
    ("service-principal-under-scp", "known", t_service_scp, "SCPs do not bind AWS service principals (6.9.7); the oracle applies them", "+"),
    ("binary-equals", "known", t_binary, "BinaryEquals compares decoded base64 (4.4.5); the oracle compares strings"),
    ("ip-family-mismatch", "known", t_ip_family_mismatch, "NotIpAddress with a bare address of the other IP family than the request value is true (4.4.6); the oracle answers false"),
    ("unresolved-variable-negated", "known", t_unresolved_variable_negated, "negated operator, policy value is a variable the request cannot resolve: true (5.3, T80); the oracle makes it false"),
    ("notresource-unresolved-variable", "known", t_notresource_unresolved, "NotResource entry with an unresolvable variable excludes nothing (5.3, T77); the oracle drops the statement"),
    ("arn-condition-variable-in-segment", "known", t_arn_condition_variable_in_segment, "Arn* condition value with a variable before the fifth colon; the oracle never matches it"),
    ("short-arn-pattern", "known", t_short_arn, "ARN pattern with fewer than six parts: a trailing * covers the missing parts in every policy type and in Arn* operators (3.2 rule 8); the oracle pads only some of them"),
    ("wildcard-principal-boundary", "spec-choice", t_wildcard_principal_boundary, "Principal '*' grant vs a boundary implicit deny (6.3 step 4 wildcard row, T26, DERIVED)", "+"),
    ("notprincipal", "spec-choice", t_notprincipal, "NotPrincipal exclusion needs session+role+account listed (U20)"),
    ("federated-parent-user", "spec-choice", t_federated_parent, "resource policy names the IAM user of the same name as a federated caller"),
    ("multivalued-variable", "spec-choice", t_multivalued_variable, "a policy variable names a multivalued key: never resolves (5.3)"),
    ("plain-operator-multivalued", "spec-choice", t_plain_on_multivalued, "plain operator on a multivalued key: false with 0 or 2+ values (U6), a one-element list counts as a single value (4.5 D, DERIVED); the oracle never matches"),
    ("set-operator-ifexists", "spec-choice", t_set_ifexists, "ForAnyValue/ForAllValues combined with IfExists (U7)"),
    ("null-empty-list", "spec-choice", t_null_empty_list, "Null on a key given as an empty list: Verdict treats it as absent, like the set operators (4.3); the oracle as present"),
    ("context-shape-mismatch", "spec-choice", t_context_shape, "list given for a single-valued key (or the reverse); the oracle coerces"),
    ("derived-context", "spec-choice", t_derived_context, "a policy tests a principal-derived key the scenario left out; Verdict derives it, the oracle does not"),
]
KIND_ORDER = ["unexplained", "verdict-error", "known", "spec-choice", "abstain"]


# -------------------------------------------------------------------- main

def read_jsonl(path, what):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except ValueError as e:
                sys.stderr.write(f"compare.py: {what} {path}:{n}: not JSON ({e})\n")
                sys.exit(2)
    return rows


def oracle_layers(o, decision):
    """Layers the oracle reports as denying (for the layer cross-check)."""
    a = (o.get("raw") or {}).get("analysis") or {}
    want = ("ExplicitlyDenied", "DeniedForAccount") if decision == "explicit_deny" else ("ImplicitlyDenied",)
    out = set()
    for k, name in LAYER_NAMES.items():
        layer = a.get(k)
        if isinstance(layer, dict) and layer.get("result") in want:
            out.add(name)
    for b in a.get("blockedBy") or []:
        out.add({"pb": "permissions_boundary", "vpce": "vpc_endpoint"}.get(b, b))
    return out


RANK = {"allow": 2, "implicit_deny": 1, "explicit_deny": 0}


def fits(cat, od, vd):
    """Whether a category's cause can explain the direction of a difference."""
    direction = cat[4] if len(cat) > 4 else None
    if direction is None or od not in RANK or vd not in RANK:
        return True
    if direction == "+":
        return RANK[vd] > RANK[od]
    if direction == "-implicit":
        return RANK[vd] < RANK[od] and vd == "implicit_deny"
    return RANK[vd] < RANK[od]


def main():
    ap = argparse.ArgumentParser(description="Compare Verdict and oracle decisions line by line.")
    ap.add_argument("--scenarios", required=True)
    ap.add_argument("--oracle", required=True)
    ap.add_argument("--verdict", required=True)
    ap.add_argument("--out-dir", default=".", help="where disagreements.jsonl and unexplained.jsonl go")
    ap.add_argument("--examples", type=int, default=5, help="examples printed per category")
    ap.add_argument("--layers", action="store_true", help="also cross-check the deciding layer when decisions agree")
    ap.add_argument("--fail-on", choices=["unexplained", "any", "none"], default="unexplained")
    args = ap.parse_args()

    scns = read_jsonl(args.scenarios, "scenarios")
    orc = read_jsonl(args.oracle, "oracle")
    ver = read_jsonl(args.verdict, "verdict")
    if not (len(scns) == len(orc) == len(ver)):
        sys.stderr.write(f"compare.py: line counts differ: scenarios {len(scns)}, oracle {len(orc)}, verdict {len(ver)}\n")
        sys.exit(2)

    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    matrix = collections.Counter()
    groups = collections.defaultdict(list)
    kinds = {c[0]: c[1] for c in CATEGORIES}
    meaning = {c[0]: c[3] for c in CATEGORIES}
    meaning["spec-choice-not-flagged"] = "Verdict allows on a spec choice but its result carries no uncertain entry (10.1)"
    agree = 0
    layer_mismatch = []
    abstained_agree = 0
    dis_file = open(out_dir / "disagreements.jsonl", "w", encoding="utf-8")
    unx_file = open(out_dir / "unexplained.jsonl", "w", encoding="utf-8")
    for i, (s, o, v) in enumerate(zip(scns, orc, ver)):
        od = o.get("decision", "error")
        vd = "error" if "error" in v and "decision" not in v else v.get("decision", "error")
        matrix[(od, vd)] += 1
        if od == vd and od != "error":
            agree += 1
            if args.layers and vd != "allow":
                ol = oracle_layers(o, vd)
                if ol and v.get("denied_by") not in ol:
                    layer_mismatch.append((i, s.get("name"), vd, v.get("denied_by"), sorted(ol)))
            continue
        if od == "error" and vd == "error":
            abstained_agree += 1
            continue
        cats = [c[0] for c in CATEGORIES if fits(c, od, vd) and c[2](s, o)]
        if vd == "error":
            primary = "verdict-error"
        elif cats:
            primary = cats[0]
        else:
            primary = "unexplained"
        kind = kinds.get(primary, primary)
        # 10.1: an Allow where the oracle denies may rest on a spec choice only if the
        # result says so in its uncertain block.
        if kind == "spec-choice" and vd == "allow" and od in ("explicit_deny", "implicit_deny") and not v.get("uncertain"):
            primary, kind = "spec-choice-not-flagged", "unexplained"
        rec = {"line": i + 1, "name": s.get("name"), "primary": primary, "kind": kind, "categories": cats,
               "oracle": od, "verdict": vd, "verdict_denied_by": v.get("denied_by"),
               "verdict_error": v.get("error"), "description": s.get("description"),
               "oracle_raw": o.get("raw"), "scenario": s}
        groups[(kind, primary)].append(rec)
        dis_file.write(json.dumps(rec, ensure_ascii=False) + "\n")
        if primary == "unexplained":
            unx_file.write(json.dumps(s, ensure_ascii=False) + "\n")
    dis_file.close()
    unx_file.close()

    total = len(scns)
    n_dis = sum(len(v) for v in groups.values())
    by_kind = collections.Counter()
    for (kind, _), recs in groups.items():
        by_kind[kind] += len(recs)
    print(f"scenarios: {total}   agree: {agree}   disagree: {n_dis}   both error: {abstained_agree}")
    print("disagreements by kind: " + ", ".join(f"{k} {by_kind[k]}" for k in KIND_ORDER if by_kind[k]) or "none")
    print(f"RCP-capable services from: {RCP_SOURCE}")
    print("\noracle \\ verdict   " + "  ".join(f"{d:>13}" for d in ("allow", "explicit_deny", "implicit_deny", "error")))
    for od in ("allow", "explicit_deny", "implicit_deny", "error"):
        print(f"{od:>17}   " + "  ".join(f"{matrix[(od, vd)]:>13}" for vd in ("allow", "explicit_deny", "implicit_deny", "error")))
    for kind in KIND_ORDER:
        cats = sorted((p for (k, p) in groups if k == kind), key=lambda p: -len(groups[(kind, p)]))
        if not cats:
            continue
        print(f"\n== {kind} ==")
        for p in cats:
            recs = groups[(kind, p)]
            flows = collections.Counter(f"{r['oracle']}->{r['verdict']}" for r in recs)
            print(f"{len(recs):6d}  {p}: {meaning.get(p, '')}")
            print(f"{'':8}oracle->verdict: " + ", ".join(f"{k} {n}" for k, n in flows.most_common()))
            for r in recs[: args.examples]:
                extra = f" [{','.join(c for c in r['categories'] if c != p)}]" if len(r["categories"]) > 1 else ""
                err = f" error={r['verdict_error']!r}" if r["verdict_error"] else ""
                print(f"{'':8}line {r['line']} {r['name']}: {r['oracle']} vs {r['verdict']}"
                      f" (denied_by {r['verdict_denied_by']}){err}{extra} -- {r['description']}")
    if args.layers:
        print(f"\n== same decision, different layer: {len(layer_mismatch)} ==")
        for i, name, d, vl, ol in layer_mismatch[: args.examples * 4]:
            print(f"        line {i + 1} {name}: {d}, verdict {vl}, oracle {ol}")
    print(f"\nwrote {out_dir / 'disagreements.jsonl'} ({n_dis}) and {out_dir / 'unexplained.jsonl'} ({by_kind['unexplained']})")

    if args.fail_on == "any" and n_dis:
        sys.exit(1)
    if args.fail_on == "unexplained" and (by_kind["unexplained"] or by_kind["verdict-error"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
