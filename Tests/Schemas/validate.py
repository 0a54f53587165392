#!/usr/bin/env python3
"""Validates wai's JSON outputs against the JSON Schemas in Schemas/ (Draft 2020-12).

    python3 Tests/Schemas/validate.py SCHEMA DOCUMENT [DOCUMENT ...]
    python3 Tests/Schemas/validate.py --invalid SCHEMA DOCUMENT [DOCUMENT ...]

SCHEMA is a file name in Schemas/ (e.g. wai.analysis-2.schema.json); every schema there is
registered under its $id so that they can refer to each other. Exit 0 when every document is
valid (with --invalid: when every document is rejected, each rejection printed), 1 otherwise.
"""
import json
import pathlib
import sys

import jsonschema
from referencing import Registry, Resource

SCHEMAS = pathlib.Path(__file__).resolve().parents[2] / "Schemas"


def registry():
    resources = []
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def main(argv):
    expect_invalid = argv[:1] == ["--invalid"]
    if expect_invalid:
        argv = argv[1:]
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    schema = json.loads((SCHEMAS / argv[0]).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, registry=registry())
    failures = 0
    for name in argv[1:]:
        document = json.loads(pathlib.Path(name).read_text())
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        for error in errors:
            where = "/".join(str(p) for p in error.absolute_path) or "(top)"
            print(f"{name}: {where}: {error.message}")
        if bool(errors) != expect_invalid:
            failures += 1
            print(f"{name}: {'valid, but expected to be rejected' if expect_invalid else 'INVALID'} against {argv[0]}")
        else:
            print(f"{name}: {'rejected as expected' if expect_invalid else 'valid'} ({argv[0]})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
