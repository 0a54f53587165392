#!/usr/bin/env python3
"""Writes the workbook fixtures from CSV files of the same data, with openpyxl.

    python3 -m pip install openpyxl
    python3 Tests/WAIReadTests/Fixtures/make_workbook_fixtures.py

The files are committed; run this only to change them.

openpyxl writes text as inline strings; Excel and the platforms write a shared-strings table,
so the text is moved into one (share_strings), except where inline strings are to be tested.

surveymonkey.xlsx: surveymonkey.csv as SurveyMonkey's Excel download has it: the two header
rows, each question's header cell merged across its answer columns, ids as numbers, the start
and end times as Excel dates (number format), the answers as shared strings.

chapter11.xlsx: Surveys/chapter11/responses.csv. Sheet "Notes" first (a note, no data), then
"Responses" with the gender column (B) left as inline strings, the rest shared, and "Typo", the same rows with the answer in D12 changed to "Hihg" (an unknown answer, for
the located error).

linebreaks.xlsx: sheet "Responses", answers in A, weights in B, comments in C with line breaks
in rows 3 and 5 and a negative weight in row 7: a rejected row must be named "Responses row 7",
not line 9 of the CSV copy (which the breaks push down by two).
"""
import csv
import datetime
import pathlib
import re
import shutil
import tempfile
import zipfile

import openpyxl

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def rows_of(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def surveymonkey():
    rows = rows_of(HERE / "surveymonkey.csv")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    header, sub = rows[0], rows[1]
    for c, text in enumerate(header, start=1):
        if text:
            sheet.cell(row=1, column=c, value=text)
    for c, text in enumerate(sub, start=1):
        if text:
            sheet.cell(row=2, column=c, value=text)
    # A question's cell spans the blanks after it (its answer columns).
    c = 0
    while c < len(header):
        end = c
        while end + 1 < len(header) and header[end + 1] == "" and sub[end + 1] != "":
            end += 1
        if end > c and header[c]:
            sheet.merge_cells(start_row=1, start_column=c + 1, end_row=1, end_column=end + 1)
        c = end + 1
    dates = {header.index("Start Date"), header.index("End Date")}
    numbers = {header.index("Respondent ID"), header.index("Collector ID")}
    for r, row in enumerate(rows[2:], start=3):
        for c, text in enumerate(row):
            if text == "":
                continue
            cell = sheet.cell(row=r, column=c + 1)
            if c in dates:
                cell.value = datetime.datetime.strptime(text, "%m/%d/%Y %I:%M:%S %p")
                cell.number_format = "mm/dd/yyyy hh:mm:ss AM/PM"
            elif c in numbers:
                cell.value = int(text)
            else:
                cell.value = text
    book.save(HERE / "surveymonkey.xlsx")
    share_strings(HERE / "surveymonkey.xlsx", keep={})


def chapter11():
    rows = rows_of(ROOT / "Surveys" / "chapter11" / "responses.csv")
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notes"
    notes["A1"] = "Responses of Surveys/chapter11, for wai's workbook tests."
    for title in ("Responses", "Typo"):
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append([v if v != "" else None for v in row])
    book["Typo"]["D12"] = "Hihg"
    path = HERE / "chapter11.xlsx"
    book.save(path)
    share_strings(path, keep={"xl/worksheets/sheet2.xml": "B"})


def linebreaks():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Responses"
    sheet.append(["q1", "wt", "comment"])
    comments = {3: "first line\nsecond line", 5: "a\nb"}
    for row, answer in enumerate(["Agree", "Strongly agree", "Disagree", "Agree", "Neither agree nor disagree",
                                  "Strongly disagree", "Agree", "Strongly agree"], start=2):
        sheet.append([answer, -1.0 if row == 7 else 1.0, comments.get(row)])
    path = HERE / "linebreaks.xlsx"
    book.save(path)
    share_strings(path, keep={})


def share_strings(path, keep):
    """Moves the inline strings of every sheet into xl/sharedStrings.xml, except those of the
    column `keep[part]` names in that part."""
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    table, index = [], {}
    pattern = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*?) t="inlineStr"([^>]*)><is><t>(.*?)</t></is></c>', re.S)

    def shared(m, column):
        if m.group(1) == column:
            return m.group(0)
        text = m.group(5)
        if text not in index:
            index[text] = len(table)
            table.append(text)
        return '<c r="%s%s"%s t="s"%s><v>%d</v></c>' % (m.group(1), m.group(2), m.group(3), m.group(4), index[text])

    for name in sorted(parts):
        if name.startswith("xl/worksheets/sheet"):
            parts[name] = pattern.sub(lambda m: shared(m, keep.get(name)), parts[name].decode("utf-8")).encode("utf-8")
    assert table, "no strings to share"
    main = NS["m"]
    parts["xl/sharedStrings.xml"] = ('<sst xmlns="%s" count="%d" uniqueCount="%d">%s</sst>' % (
        main, len(table), len(table), "".join('<si><t xml:space="preserve">%s</t></si>' % t for t in table))).encode("utf-8")
    types = parts["[Content_Types].xml"].decode("utf-8")
    parts["[Content_Types].xml"] = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>').encode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    parts["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", '<Relationship Id="rIdShared" Type='
        '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>").encode("utf-8")
    tmp = tempfile.NamedTemporaryFile(delete=False, suffix=".xlsx")
    tmp.close()
    with zipfile.ZipFile(tmp.name, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    shutil.move(tmp.name, path)
    # The result must still open.
    book = openpyxl.load_workbook(path)
    assert book.sheetnames


if __name__ == "__main__":
    surveymonkey()
    chapter11()
    linebreaks()
