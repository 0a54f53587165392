#!/usr/bin/env python3
"""Reads a report's workbook with openpyxl and compares every cell with the report's JSON.

    python3 Tests/Workbook/check_report_xlsx.py REPORT_DIR

Expected: a sheet per table (its id), "frequencies", and "by COLUMN" per breakdown; in each,
the header row, then one row per item (and the composite's OA row). Numbers must be number
cells equal to the JSON's, texts string cells; no cell anywhere is a formula. Prints
"N passed, 0 failed" (cells compared), or the differences and exits 1.
"""
import json
import sys

import openpyxl

report = sys.argv[1]
data = json.load(open(f"{report}/report.json"))
book = openpyxl.load_workbook(f"{report}/report.xlsx")
failures, checked = [], 0


def expect(sheet, r, c, want):
    global checked
    cell = book[sheet].cell(row=r, column=c)
    got = cell.value
    checked += 1
    if want is None:
        ok = got is None
    elif isinstance(want, str):
        ok = cell.data_type == "s" and got == want
    else:
        ok = cell.data_type == "n" and not isinstance(got, bool) and got == want
    if not ok:
        failures.append(f"{sheet}!{cell.coordinate}: {got!r} ({cell.data_type}), expected {want!r}")


def table_rows(table, group):
    rows = []
    levels = len(table["items"][0]["counts"]) if table["items"] else 0
    mixed = len({tuple(c["label"] for c in item["counts"]) for item in table["items"]}) > 1
    if mixed:
        levels = max(len(item["counts"]) for item in table["items"])
    for item in table["items"]:
        row = [table["id"], item["id"], item["text"], item["n"], item["missing"]]
        if group is not None:
            row.insert(1, group)
        if mixed:
            row.append(item.get("scale"))
        pad = [None] * (levels - len(item["counts"])) if mixed else []
        row += [c["count"] for c in item["counts"]] + pad + [c["share"] for c in item["counts"]] + pad
        interval = item.get("interval") or {}
        row += [item.get("wai"), item.get("se"), interval.get("lower"), interval.get("upper"), item.get("wai_reported"), item.get("band")]
        rows.append(row)
    composite = table.get("composite")
    if composite:
        row = [table["id"], "OA", f"Overall assessment (mean of {composite['items']} items)", None, None]
        if group is not None:
            row.insert(1, group)
        if mixed:
            row.append(None)
        row += [None] * (2 * levels)
        interval = composite.get("interval") or {}
        row += [composite["wai"], composite.get("se"), interval.get("lower"), interval.get("upper"), composite["wai_reported"], composite["band"]]
        rows.append(row)
    return rows, levels, mixed


def header(table, group, levels, mixed):
    labels = [f"level {k}" for k in range(1, levels + 1)] if mixed else [c["label"] for c in table["items"][0]["counts"]]
    names = ["table", "item", "text", "n", "missing"]
    if group:
        names.insert(1, "group")
    if mixed:
        names.append("scale")
    return names + [f"count: {l}" for l in labels] + [f"share: {l}" for l in labels] + ["wai", "se", "lower", "upper", "wai_reported", "band"]


def check(sheet, rows):
    if sheet not in book.sheetnames:
        failures.append(f"no sheet {sheet!r}")
        return
    ws = book[sheet]
    if ws.max_row != len(rows):
        failures.append(f"{sheet}: {ws.max_row} rows, expected {len(rows)}")
    for r, row in enumerate(rows, start=1):
        for c, want in enumerate(row, start=1):
            expect(sheet, r, c, want)


expected_sheets = [t["id"] for t in data["tables"]]
for table in data["tables"]:
    rows, levels, mixed = table_rows(table, None)
    check(table["id"], [header(table, False, levels, mixed)] + rows)
if data["frequencies"]:
    expected_sheets.append("frequencies")
    rows = [["column", "value", "count", "percent", "weighted_percent"]]
    for f in data["frequencies"]:
        rows += [[f["column"], r["value"], r["count"], r["percent"], r["weighted_percent"]] for r in f["rows"]]
        rows.append([f["column"], None, f["missing"], None, None])
    check("frequencies", rows)
for b in data["breakdowns"]:
    name = f"by {b['column']}"
    expected_sheets.append(name)
    first = b["groups"][0]["tables"][0]
    _, levels, mixed = table_rows(first, "")
    rows = [header(first, True, levels, mixed)]
    for g in b["groups"]:
        for t in g["tables"]:
            rows += table_rows(t, g.get("category") or "")[0]
    check(name, rows)

if book.sheetnames != expected_sheets:
    failures.append(f"sheets {book.sheetnames}, expected {expected_sheets}")
for ws in book.worksheets:
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                failures.append(f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}")
if not book[expected_sheets[0]]["A1"].font.b:
    failures.append("the header row is not bold")

for line in failures[:40]:
    print(line)
print(f"{checked - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
