"""Validates Kith's Open Referral responses against the official schemas beside this file.

Usage: validate_openreferral.py RESPONSES.json

RESPONSES.json is a list of {"schema": NAME, "list": BOOL, "body": RESPONSE}: NAME is a
schema file here (e.g. "uk-profile/schema/compiled/service_list.json"); a list response
is checked as the specification's openapi.json has it (components.schemas.Page, with
each of contents against NAME), any other against NAME itself. Formats (uuid, date-time,
uri, email) are checked too. Prints one line per error and exits 1 on any; prints the
number of responses checked and exits 0 otherwise.
"""
import json
import pathlib
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

HERE = pathlib.Path(__file__).resolve().parent
BASE = "https://schemas.kith.test/openreferral/"


def registry():
    reg = Registry()
    for path in HERE.rglob("*.json"):
        rel = path.relative_to(HERE).as_posix()
        contents = json.loads(path.read_text(encoding="utf-8"))
        reg = reg.with_resource(BASE + rel, Resource.from_contents(contents, default_specification=DRAFT202012))
    return reg


def main():
    checker = Draft202012Validator.FORMAT_CHECKER
    missing = {"uuid", "date-time", "uri", "email"} - set(checker.checkers)
    if missing:
        print("format checkers missing (install dev/python/requirements.txt):", sorted(missing))
        return 2
    reg = registry()
    items = json.loads(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8"))
    errors = 0
    for n, item in enumerate(items):
        ref = BASE + item["schema"]
        if item["list"]:
            schema = {
                "allOf": [{"$ref": BASE + "hsds/page.json"}],
                "required": ["contents"],
                "properties": {"contents": {"type": "array", "items": {"$ref": ref}}},
            }
        else:
            schema = {"$ref": ref}
        validator = Draft202012Validator(schema, registry=reg, format_checker=checker)
        for err in validator.iter_errors(item["body"]):
            errors += 1
            where = "/".join(str(p) for p in err.absolute_path)
            print(f"response {n} ({item['schema']}) at /{where}: {err.message}")
    if errors:
        return 1
    print(f"{len(items)} responses valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
