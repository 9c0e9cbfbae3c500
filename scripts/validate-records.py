#!/usr/bin/env python3
"""Validates records against a published schema with a standard validator (Python's jsonschema).

Usage: scripts/validate-records.py SCHEMA.json RECORDS.jsonl

RECORDS.jsonl holds one record a line, as the topic carries it. Prints how many records were read
and how many are invalid, with the first few errors; exits 1 if any record is invalid (or none was
read), 2 if the schema itself is not a valid 2020-12 schema. Formats (date, date-time) are checked.
"""
import json
import sys

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError


def main(schema_path, records_path):
    with open(schema_path, encoding="utf-8") as handle:
        schema = json.load(handle)
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        print(f"{schema_path}: not a valid schema: {error.message}")
        return 2
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    read = invalid = 0
    with open(records_path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            read += 1
            errors = list(validator.iter_errors(json.loads(line)))
            if errors:
                invalid += 1
                if invalid <= 5:
                    # oneOf reports the branch errors as its context; the deepest says what is wrong.
                    details = [leaf for error in errors for leaf in (error.context or [error])]
                    best = sorted(details, key=lambda e: -len(e.absolute_path))[:3]
                    print(f"line {number}: " + "; ".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in best))
    print(f"{records_path}: {read} records, {invalid} invalid against {schema_path}")
    return 1 if invalid or read == 0 else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(64)
    sys.exit(main(sys.argv[1], sys.argv[2]))
