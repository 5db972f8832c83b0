#!/usr/bin/env bash
# Collect a Verdict snapshot directory with the AWS CLI (read-only calls only).
# The layout is described in docs/snapshot.md; `verdict who-can`, `verdict can`
# and `verdict escalation` read it with --snapshot DIR.
#
# Needs: bash 3.2 or later, aws (CLI v1 or v2), jq.
# Exit status: 0 everything collected, 1 some calls failed (see
# DIR/collect-errors.log; the rest was collected), 2 usage or setup error.
set -euo pipefail

prog="collect.sh"

usage() {
  cat <<'EOF'
Usage: tools/snapshot/collect.sh [options] DIR

Writes a Verdict snapshot of AWS accounts into DIR using only read-only AWS CLI
calls. With no mapping file it collects the account of the current credentials
(AWS_PROFILE, environment variables or the default profile).

Options:
  --profile-per-account FILE  collect several accounts; FILE has one
                              "account-id profile" pair per line
                              (blank lines and # comments are ignored).
                              Each profile must resolve to its account.
  --org-profile PROFILE       profile for the Organizations calls (the
                              management or delegated-admin account);
                              default: the current credentials.
  --regions r1,r2             regions for regional resources (KMS, SQS, SNS,
                              Secrets Manager, Lambda, API Gateway, ECR);
                              default: each profile's configured region.
  --skip-org                  do not collect organizations/.
  --skip-resources            do not collect resources/ (resource policies).
  -h, --help                  show this help.

What is written (see docs/snapshot.md):
  DIR/accounts/<account-id>/authorization-details.json
  DIR/organizations/...        describe-organization, list-roots, the OU and
                               account tree, SCPs and RCPs with their targets
  DIR/resources/<account-id>/<service>/...json   {"Arn": ..., "Policy": ...}
  DIR/collect-errors.log       only when something failed (appended per run)

Each account (and organizations/) collected in a run replaces its previous
copy in DIR, so several runs with different credentials can fill one DIR.
A call that fails (AccessDenied, throttling, region not enabled...) is logged
and collection goes on; the exit status is then 1.
EOF
}

die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 2; }

# ------------------------------------------------------------ arguments
out=""
map_file=""
regions_arg=""
org_profile=""
skip_org=0
skip_resources=0

need_value() { [ "$2" -ge 2 ] || die "$1 needs a value (see --help)"; }

while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --profile-per-account) need_value "$1" $#; map_file="$2"; shift 2 ;;
    --profile-per-account=*) map_file="${1#*=}"; shift ;;
    --org-profile) need_value "$1" $#; org_profile="$2"; shift 2 ;;
    --org-profile=*) org_profile="${1#*=}"; shift ;;
    --regions) need_value "$1" $#; regions_arg="$2"; shift 2 ;;
    --regions=*) regions_arg="${1#*=}"; shift ;;
    --skip-org) skip_org=1; shift ;;
    --skip-resources) skip_resources=1; shift ;;
    --) shift
        while [ $# -gt 0 ]; do
          [ -z "$out" ] || die "only one output directory may be given (got '$out' and '$1')"
          out="$1"; shift
        done ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$out" ] || die "only one output directory may be given (got '$out' and '$1')"
       out="$1"; shift ;;
  esac
done

[ -n "$out" ] || { usage >&2; exit 2; }
command -v aws >/dev/null 2>&1 || die "the AWS CLI (aws) is required and was not found on PATH"
command -v jq >/dev/null 2>&1 || die "jq is required and was not found on PATH"

region_re='^[a-z]{2}(-[a-z]+)+-[0-9]+$'
regions=()
if [ -n "$regions_arg" ]; then
  IFS=',' read -r -a raw_regions <<<"$regions_arg"
  for r in ${raw_regions[@]+"${raw_regions[@]}"}; do
    r="${r// /}"
    [ -n "$r" ] || continue
    [[ "$r" =~ $region_re ]] || die "--regions: '$r' does not look like a region name"
    regions+=("$r")
  done
  [ ${#regions[@]} -gt 0 ] || die "--regions: no region given"
fi

# Accounts to collect: parallel arrays (bash 3.2 has no associative arrays).
acct_ids=()
acct_profiles=()
if [ -n "$map_file" ]; then
  if [ ! -f "$map_file" ] || [ ! -r "$map_file" ]; then
    die "--profile-per-account: cannot read $map_file"
  fi
  lineno=0
  while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    line="${line%%#*}"
    a=""; p=""; extra=""
    read -r a p extra <<<"$line" || true
    [ -n "$a" ] || continue
    [[ "$a" =~ ^[0-9]{12}$ ]] || die "$map_file:$lineno: '$a' is not a 12-digit account id"
    [ -n "$p" ] || die "$map_file:$lineno: no profile given for account $a"
    [ -z "$extra" ] || die "$map_file:$lineno: expected 'account-id profile', got extra text '$extra'"
    for seen in ${acct_ids[@]+"${acct_ids[@]}"}; do
      [ "$seen" != "$a" ] || die "$map_file:$lineno: account $a is listed twice"
    done
    acct_ids+=("$a")
    acct_profiles+=("$p")
  done <"$map_file"
  [ ${#acct_ids[@]} -gt 0 ] || die "--profile-per-account: $map_file lists no account"
fi

# ------------------------------------------------------------ setup
export AWS_PAGER=""                                  # CLI v2: never page output
export AWS_RETRY_MODE="${AWS_RETRY_MODE:-standard}"  # retry throttling (Organizations is slow)
export AWS_MAX_ATTEMPTS="${AWS_MAX_ATTEMPTS:-8}"

mkdir -p "$out" || die "cannot create $out"
out="$(cd "$out" && pwd)"
errlog="$out/collect-errors.log"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/verdict-collect.XXXXXX")" || die "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

failures=0
log_started=0
run_started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

say() { printf '%s\n' "$*" >&2; }
note() { printf '%s: note: %s\n' "$prog" "$*" >&2; }

# fail WHERE MESSAGE: report one failed step (stderr and the error log), go on.
fail() {
  local msg
  msg="$(printf '%s' "$2" | tr '\r\n\t' '   ' | sed -e 's/  */ /g' -e 's/^ //' -e 's/ $//')"
  printf '%s: error: [%s] %s\n' "$prog" "$1" "$msg" >&2
  if [ "$log_started" -eq 0 ]; then
    printf '== run started %s\n' "$run_started" >>"$errlog"
    log_started=1
  fi
  printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$msg" >>"$errlog"
  failures=$((failures + 1))
}

# File-name form of a resource name: '%' -> %25, '/' -> %2F (ECR repositories
# and secrets may contain '/'). The ARN inside the file is what Verdict uses.
fname() {
  local s="$1"
  s="${s//[%]/%25}"
  s="${s//\//%2F}"
  printf '%s' "$s"
}

# Profile arguments for the account being collected.
P=()

# awsj DEST ARGS...: run `aws ARGS --output json` with the current profile.
# On success DEST holds the JSON (written whole, never partially); an empty
# reply (the CLI prints nothing for {}) is written as {}. On failure DEST is
# untouched, $aws_err holds the CLI's message, and the status is 1.
aws_err=""
awsj() {
  local dest="$1" part="$tmp/call.out" errf="$tmp/call.err" rc=0
  shift
  aws ${P[@]+"${P[@]}"} "$@" --output json >"$part" 2>"$errf" </dev/null || rc=$?
  aws_err="$(cat "$errf")"
  if [ "$rc" -ne 0 ]; then
    rm -f "$part"
    [ -n "$aws_err" ] || aws_err="aws $1 $2 exited with status $rc"
    return 1
  fi
  if [ ! -s "$part" ]; then
    printf '{}\n' >"$part"
  elif ! jq empty "$part" >/dev/null 2>&1; then
    rm -f "$part"
    aws_err="aws $1 $2 printed something that is not JSON"
    return 1
  fi
  mkdir -p "$(dirname "$dest")"
  mv -f "$part" "$dest"
}

# has_policy FILE JQ_PATH: the reply holds a non-empty policy at JQ_PATH.
has_policy() {
  jq -e "($2) | . != null and . != \"\"" "$1" >/dev/null 2>&1
}

# wrap SRC JQ_PATH ARN DEST WHERE: write {"Arn": ARN, "Policy": document} to
# DEST. The policy string is parsed when it is JSON (API Gateway returns it
# with escaped quotes, which are undone first); otherwise it is kept as the
# string the service returned. ($arn and $p are jq variables.)
# shellcheck disable=SC2016
wrap_prog='
def decode:
  if type == "string" then
    (fromjson? // (gsub("\\\\\""; "\"") | fromjson?) // .)
  else . end;
(PATH) as $p | {Arn: $arn, Policy: ($p | decode)}'
wrap() {
  local src="$1" path="$2" arn="$3" dest="$4" where="$5"
  mkdir -p "$(dirname "$dest")"
  if jq --arg arn "$arn" "${wrap_prog//PATH/$path}" "$src" >"$dest.tmp" 2>"$tmp/jq.err"; then
    mv -f "$dest.tmp" "$dest"
    if ! jq -e '.Policy | type == "object"' "$dest" >/dev/null 2>&1; then
      note "[$where] the policy is not JSON; it was kept as the string the service returned"
    fi
  else
    rm -f "$dest.tmp"
    fail "$where" "cannot write $dest: $(cat "$tmp/jq.err")"
  fi
}

# flat_dest DIR NAME REGION: DIR/NAME.json, or DIR/NAME.REGION.json when a
# resource of the same name from another region was already written this run.
flat_dest() {
  if [ -e "$1/$2.json" ]; then
    printf '%s/%s.%s.json' "$1" "$2" "$3"
  else
    printf '%s/%s.json' "$1" "$2"
  fi
}

# configured_region: the region the CLI would use for the current profile.
configured_region() {
  if [ -n "${AWS_REGION:-}" ]; then printf '%s' "$AWS_REGION"; return; fi
  if [ -n "${AWS_DEFAULT_REGION:-}" ]; then printf '%s' "$AWS_DEFAULT_REGION"; return; fi
  aws ${P[@]+"${P[@]}"} configure get region </dev/null 2>/dev/null || true
}

# ------------------------------------------------------------ resources
# Each collector: ACCOUNT PARTITION REGION RESDIR. A resource without a policy
# writes nothing; any other failure is logged and the next resource is tried.

collect_s3() {
  local acct="$1" part="$2" res="$3" b
  if ! awsj "$tmp/s3-buckets.json" s3api list-buckets; then
    fail "$acct s3" "list-buckets: $aws_err"; return
  fi
  jq -r '(.Buckets // [])[].Name' "$tmp/s3-buckets.json" >"$tmp/s3-buckets.txt"
  while IFS= read -r b; do
    [ -n "$b" ] || continue
    # The CLI follows S3's region redirect, so buckets in any region answer.
    if awsj "$tmp/s3-policy.json" s3api get-bucket-policy --bucket "$b"; then
      has_policy "$tmp/s3-policy.json" '.Policy' || continue
      wrap "$tmp/s3-policy.json" '.Policy' "arn:$part:s3:::$b" "$res/s3/$(fname "$b").json" "$acct s3 $b"
    elif [[ "$aws_err" == *NoSuchBucketPolicy* ]]; then
      :
    else
      fail "$acct s3 $b" "get-bucket-policy: $aws_err"
    fi
  done <"$tmp/s3-buckets.txt"
}

collect_kms() {
  local acct="$1" r="$2" res="$3" id manager arn
  if ! awsj "$tmp/kms-keys.json" kms list-keys --region "$r"; then
    fail "$acct kms $r" "list-keys: $aws_err"; return
  fi
  jq -r '(.Keys // [])[].KeyId' "$tmp/kms-keys.json" >"$tmp/kms-keys.txt"
  while IFS= read -r id; do
    [ -n "$id" ] || continue
    if ! awsj "$tmp/kms-key.json" kms describe-key --region "$r" --key-id "$id"; then
      fail "$acct kms $r $id" "describe-key: $aws_err"; continue
    fi
    manager="$(jq -r '.KeyMetadata.KeyManager // ""' "$tmp/kms-key.json")"
    [ "$manager" = "CUSTOMER" ] || continue   # AWS managed keys have fixed policies
    arn="$(jq -r '.KeyMetadata.Arn // ""' "$tmp/kms-key.json")"
    [ -n "$arn" ] || { fail "$acct kms $r $id" "describe-key returned no Arn"; continue; }
    if awsj "$tmp/kms-policy.json" kms get-key-policy --region "$r" --key-id "$id" --policy-name default; then
      has_policy "$tmp/kms-policy.json" '.Policy' || continue
      wrap "$tmp/kms-policy.json" '.Policy' "$arn" "$res/kms/$r/$(fname "$id").json" "$acct kms $r $id"
    else
      fail "$acct kms $r $id" "get-key-policy: $aws_err"
    fi
  done <"$tmp/kms-keys.txt"
}

collect_sqs() {
  local acct="$1" r="$2" res="$3" url arn
  if ! awsj "$tmp/sqs-queues.json" sqs list-queues --region "$r"; then
    fail "$acct sqs $r" "list-queues: $aws_err"; return
  fi
  jq -r '(.QueueUrls // [])[]' "$tmp/sqs-queues.json" >"$tmp/sqs-queues.txt"
  while IFS= read -r url; do
    [ -n "$url" ] || continue
    if ! awsj "$tmp/sqs-attrs.json" sqs get-queue-attributes --region "$r" --queue-url "$url" \
        --attribute-names Policy QueueArn; then
      fail "$acct sqs $r $url" "get-queue-attributes: $aws_err"; continue
    fi
    has_policy "$tmp/sqs-attrs.json" '.Attributes.Policy' || continue
    arn="$(jq -r '.Attributes.QueueArn // ""' "$tmp/sqs-attrs.json")"
    [ -n "$arn" ] || { fail "$acct sqs $r $url" "get-queue-attributes returned no QueueArn"; continue; }
    wrap "$tmp/sqs-attrs.json" '.Attributes.Policy' "$arn" \
      "$(flat_dest "$res/sqs" "$(fname "${arn##*:}")" "$r")" "$acct sqs $r $url"
  done <"$tmp/sqs-queues.txt"
}

collect_sns() {
  local acct="$1" r="$2" res="$3" arn
  if ! awsj "$tmp/sns-topics.json" sns list-topics --region "$r"; then
    fail "$acct sns $r" "list-topics: $aws_err"; return
  fi
  jq -r '(.Topics // [])[].TopicArn' "$tmp/sns-topics.json" >"$tmp/sns-topics.txt"
  while IFS= read -r arn; do
    [ -n "$arn" ] || continue
    if ! awsj "$tmp/sns-attrs.json" sns get-topic-attributes --region "$r" --topic-arn "$arn"; then
      fail "$acct sns $arn" "get-topic-attributes: $aws_err"; continue
    fi
    has_policy "$tmp/sns-attrs.json" '.Attributes.Policy' || continue
    wrap "$tmp/sns-attrs.json" '.Attributes.Policy' "$arn" \
      "$(flat_dest "$res/sns" "$(fname "${arn##*:}")" "$r")" "$acct sns $arn"
  done <"$tmp/sns-topics.txt"
}

collect_secretsmanager() {
  local acct="$1" r="$2" res="$3" arn name
  if ! awsj "$tmp/sm-secrets.json" secretsmanager list-secrets --region "$r"; then
    fail "$acct secretsmanager $r" "list-secrets: $aws_err"; return
  fi
  jq -r '(.SecretList // [])[] | [.ARN, .Name] | @tsv' "$tmp/sm-secrets.json" >"$tmp/sm-secrets.txt"
  while IFS="$(printf '\t')" read -r arn name; do
    [ -n "$arn" ] || continue
    if ! awsj "$tmp/sm-policy.json" secretsmanager get-resource-policy --region "$r" --secret-id "$arn"; then
      fail "$acct secretsmanager $arn" "get-resource-policy: $aws_err"; continue
    fi
    has_policy "$tmp/sm-policy.json" '.ResourcePolicy' || continue
    wrap "$tmp/sm-policy.json" '.ResourcePolicy' "$arn" \
      "$(flat_dest "$res/secretsmanager" "$(fname "$name")" "$r")" "$acct secretsmanager $arn"
  done <"$tmp/sm-secrets.txt"
}

collect_lambda() {
  local acct="$1" r="$2" res="$3" name arn
  if ! awsj "$tmp/lambda-functions.json" lambda list-functions --region "$r"; then
    fail "$acct lambda $r" "list-functions: $aws_err"; return
  fi
  jq -r '(.Functions // [])[] | [.FunctionName, .FunctionArn] | @tsv' "$tmp/lambda-functions.json" >"$tmp/lambda-functions.txt"
  while IFS="$(printf '\t')" read -r name arn; do
    [ -n "$name" ] || continue
    if awsj "$tmp/lambda-policy.json" lambda get-policy --region "$r" --function-name "$arn"; then
      has_policy "$tmp/lambda-policy.json" '.Policy' || continue
      wrap "$tmp/lambda-policy.json" '.Policy' "$arn" "$res/lambda/$r/$(fname "$name").json" "$acct lambda $arn"
    elif [[ "$aws_err" == *ResourceNotFoundException* ]]; then
      :   # no resource-based policy
    else
      fail "$acct lambda $arn" "get-policy: $aws_err"
    fi
  done <"$tmp/lambda-functions.txt"
}

collect_apigateway() {
  local acct="$1" part="$2" r="$3" res="$4" id
  if ! awsj "$tmp/apigw-apis.json" apigateway get-rest-apis --region "$r"; then
    fail "$acct apigateway $r" "get-rest-apis: $aws_err"; return
  fi
  jq -r '(.items // [])[].id' "$tmp/apigw-apis.json" >"$tmp/apigw-apis.txt"
  while IFS= read -r id; do
    [ -n "$id" ] || continue
    if ! awsj "$tmp/apigw-api.json" apigateway get-rest-api --region "$r" --rest-api-id "$id"; then
      fail "$acct apigateway $r $id" "get-rest-api: $aws_err"; continue
    fi
    has_policy "$tmp/apigw-api.json" '.policy' || continue
    wrap "$tmp/apigw-api.json" '.policy' "arn:$part:execute-api:$r:$acct:$id/*" \
      "$res/apigateway/$r/$(fname "$id").json" "$acct apigateway $r $id"
  done <"$tmp/apigw-apis.txt"
}

collect_ecr() {
  local acct="$1" r="$2" res="$3" name arn
  if ! awsj "$tmp/ecr-repos.json" ecr describe-repositories --region "$r"; then
    fail "$acct ecr $r" "describe-repositories: $aws_err"; return
  fi
  jq -r '(.repositories // [])[] | [.repositoryName, .repositoryArn] | @tsv' "$tmp/ecr-repos.json" >"$tmp/ecr-repos.txt"
  while IFS="$(printf '\t')" read -r name arn; do
    [ -n "$name" ] || continue
    if awsj "$tmp/ecr-policy.json" ecr get-repository-policy --region "$r" --repository-name "$name"; then
      has_policy "$tmp/ecr-policy.json" '.policyText' || continue
      wrap "$tmp/ecr-policy.json" '.policyText' "$arn" "$res/ecr/$r/$(fname "$name").json" "$acct ecr $arn"
    elif [[ "$aws_err" == *RepositoryPolicyNotFoundException* ]]; then
      :
    else
      fail "$acct ecr $arn" "get-repository-policy: $aws_err"
    fi
  done <"$tmp/ecr-repos.txt"
}

collect_resources() {
  local acct="$1" part="$2" res="$out/resources/$1" r
  local acct_regions=()
  if [ ${#regions[@]} -gt 0 ]; then
    acct_regions=("${regions[@]}")
  else
    r="$(configured_region)"
    if [ -z "$r" ]; then
      fail "$acct resources" "no region is configured for these credentials; give --regions (only S3 was collected)"
    elif [[ "$r" =~ $region_re ]]; then
      acct_regions=("$r")
    else
      fail "$acct resources" "configured region '$r' does not look like a region name; give --regions (only S3 was collected)"
    fi
  fi

  say "== $acct: S3 bucket policies"
  collect_s3 "$acct" "$part" "$res"
  for r in ${acct_regions[@]+"${acct_regions[@]}"}; do
    say "== $acct: $r: KMS, SQS, SNS, Secrets Manager, Lambda, API Gateway, ECR"
    collect_kms "$acct" "$r" "$res"
    collect_sqs "$acct" "$r" "$res"
    collect_sns "$acct" "$r" "$res"
    collect_secretsmanager "$acct" "$r" "$res"
    collect_lambda "$acct" "$r" "$res"
    collect_apigateway "$acct" "$part" "$r" "$res"
    collect_ecr "$acct" "$r" "$res"
  done
}

# ------------------------------------------------------------ accounts
# collect_account EXPECTED_ACCOUNT PROFILE (both empty: current credentials)
collect_account() {
  local expected="$1" profile="$2" acct caller part label
  if [ -n "$profile" ]; then P=(--profile "$profile"); label="profile $profile"; else P=(); label="current credentials"; fi
  if ! awsj "$tmp/identity.json" sts get-caller-identity; then
    fail "${expected:-account}" "cannot use the $label (sts get-caller-identity): $aws_err"; return
  fi
  acct="$(jq -r '.Account // ""' "$tmp/identity.json")"
  caller="$(jq -r '.Arn // ""' "$tmp/identity.json")"
  if ! [[ "$acct" =~ ^[0-9]{12}$ ]]; then
    fail "${expected:-account}" "sts get-caller-identity returned no account id for the $label"; return
  fi
  if [ -n "$expected" ] && [ "$acct" != "$expected" ]; then
    fail "$expected" "$label belongs to account $acct, not $expected; account skipped"; return
  fi
  part="$(printf '%s' "$caller" | cut -d: -f2)"
  [ -n "$part" ] || part="aws"
  say "== $acct: collecting as $caller"

  # This run's data replaces what an earlier run wrote for the account.
  rm -rf "${out:?}/accounts/$acct"
  say "== $acct: IAM authorization details"
  if ! awsj "$out/accounts/$acct/authorization-details.json" iam get-account-authorization-details; then
    fail "$acct iam" "get-account-authorization-details: $aws_err"
  fi

  if [ "$skip_resources" -eq 0 ]; then
    rm -rf "${out:?}/resources/$acct"
    collect_resources "$acct" "$part"
  fi
}

# ------------------------------------------------------------ organizations
collect_org() {
  local od="$tmp/organizations" where="organizations" root_count i parent kind filter id
  if [ -n "$org_profile" ]; then P=(--profile "$org_profile"); else P=(); fi
  say "== organizations"
  if ! awsj "$od/describe-organization.json" organizations describe-organization; then
    if [[ "$aws_err" == *AWSOrganizationsNotInUseException* ]]; then
      note "these credentials' account is not in an organization; organizations/ was not written (SCPs and RCPs do not apply)"
      rm -rf "${out:?}/organizations"
    else
      fail "$where" "describe-organization: $aws_err (use --skip-org, or --org-profile with the management or delegated-admin account)"
    fi
    return
  fi

  if awsj "$od/list-roots.json" organizations list-roots; then
    root_count="$(jq -r '(.Roots // []) | length' "$od/list-roots.json")"
    [ "$root_count" -gt 0 ] || fail "$where" "list-roots returned no root"
    # Breadth-first walk of the tree from the root(s).
    local queue=()
    while IFS= read -r id; do [ -z "$id" ] || queue+=("$id"); done \
      < <(jq -r '(.Roots // [])[].Id' "$od/list-roots.json")
    i=0
    while [ "$i" -lt ${#queue[@]} ]; do
      parent="${queue[$i]}"
      i=$((i + 1))
      if awsj "$od/list-organizational-units-for-parent-$parent.json" \
          organizations list-organizational-units-for-parent --parent-id "$parent"; then
        while IFS= read -r id; do [ -z "$id" ] || queue+=("$id"); done \
          < <(jq -r '(.OrganizationalUnits // [])[].Id' "$od/list-organizational-units-for-parent-$parent.json")
      else
        fail "$where $parent" "list-organizational-units-for-parent: $aws_err (the OUs below it are missing)"
      fi
      if ! awsj "$od/list-accounts-for-parent-$parent.json" \
          organizations list-accounts-for-parent --parent-id "$parent"; then
        fail "$where $parent" "list-accounts-for-parent: $aws_err"
      fi
    done
    say "== organizations: $i roots and OUs walked"
  else
    fail "$where" "list-roots: $aws_err (use --skip-org, or --org-profile with the management or delegated-admin account)"
  fi

  for kind in scp rcp; do
    if [ "$kind" = scp ]; then filter=SERVICE_CONTROL_POLICY; else filter=RESOURCE_CONTROL_POLICY; fi
    if ! awsj "$od/list-policies-$kind.json" organizations list-policies --filter "$filter"; then
      fail "$where $kind" "list-policies --filter $filter: $aws_err"; continue
    fi
    jq -r '(.Policies // [])[].Id' "$od/list-policies-$kind.json" >"$tmp/org-policies.txt"
    while IFS= read -r id; do
      [ -n "$id" ] || continue
      if ! awsj "$od/describe-policy-$id.json" organizations describe-policy --policy-id "$id"; then
        fail "$where $id" "describe-policy: $aws_err"
      fi
      if ! awsj "$od/list-targets-for-policy-$id.json" organizations list-targets-for-policy --policy-id "$id"; then
        fail "$where $id" "list-targets-for-policy: $aws_err"
      fi
    done <"$tmp/org-policies.txt"
  done

  # Replace the previous organizations/ with this run's (possibly partial) copy.
  rm -rf "${out:?}/organizations"
  mv "$od" "$out/organizations"
}

# ------------------------------------------------------------ main
if [ ${#acct_ids[@]} -eq 0 ]; then
  collect_account "" ""
else
  n=0
  while [ "$n" -lt ${#acct_ids[@]} ]; do
    collect_account "${acct_ids[$n]}" "${acct_profiles[$n]}"
    n=$((n + 1))
  done
fi

if [ "$skip_org" -eq 0 ]; then
  collect_org
fi

if [ "$failures" -gt 0 ]; then
  say "$prog: $failures step(s) failed; the rest was collected into $out. See $errlog"
  exit 1
fi
say "$prog: snapshot written to $out"
