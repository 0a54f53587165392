#!/usr/bin/env python3
"""Writes the fixtures of the no-spec inference rules (Surveys/SPEC.md, "Specs inferred from the data"):

    python3 Tests/WAIReadTests/Fixtures/make_inference_fixtures.py

The files are committed; run this only to change them. Standard library only.

plain_stems.csv: a plain CSV with no question-text row, 60 respondents: items A1-A4 and C1-C3
(codes 1-6) that name their groups only by their names, a grid q4_1-q4_3 of agreement words, three
questions sharing the wording "How satisfied are you with:" (satisfaction words), sat_a (1-4) beside
sat_b (1-5), which share a stem but no scale, a gender, an education of codes E1-E5 that no scale
orders (blank for some), and a survey weight w (positive, not whole numbers).

stata_named_labels.dta: a Stata file (format 114, written by hand: pyreadstat names one label set per
variable) whose trust items share one value-label set named "trust5" (a wording no built-in scale
knows, and 9 "Don't know"), whose satisfaction items share "satis4", with a gender, a weight wgt and
variable labels as the questions' wording. stata_named_labels_codes.csv holds its codes, for the
tests' own count.
"""
import csv
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# plain_stems.csv
random.seed(1515)
agreement = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
satisfaction = ["Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied", "Satisfied", "Very satisfied"]
services = ["Roads", "Water", "Health"]
header = (["id"] + [f"A{i}" for i in range(1, 5)] + [f"C{i}" for i in range(1, 4)] + [f"q4_{i}" for i in range(1, 4)]
          + [f"How satisfied are you with: {s}" for s in services] + ["sat_a", "sat_b", "gender", "education", "w"])
rows = []
for r in range(60):
    trait = random.randint(1, 6)
    a = [min(6, max(1, trait + random.choice([-1, 0, 1]))) for _ in range(4)]
    conscientious = random.randint(1, 6)
    c = [min(6, max(1, conscientious + random.choice([-1, 0, 1]))) for _ in range(3)]
    if r % 9 == 4:
        c[r % 3] = ""
    agree = random.randint(0, 4)
    q4 = [agreement[min(4, max(0, agree + random.choice([-1, 0, 1])))] for _ in range(3)]
    if r % 8 == 5:
        q4[1] = "Don't know"
    content = random.randint(0, 4)
    sat = [satisfaction[min(4, max(0, content + random.choice([-1, 0, 1])))] for _ in range(3)]
    if r % 11 == 7:
        sat[2] = ""
    sat_a = 1 + r % 4
    sat_b = random.randint(1, 5)
    gender = random.choice(["Female", "Male"])
    education = "" if r % 10 == 3 else random.choice(["E1", "E2", "E3", "E3", "E3", "E4", "E5"])
    w = random.choice([0.5, 0.8, 1.2, 1.5, 2.25])
    rows.append([100 + r] + a + c + q4 + sat + [sat_a, sat_b, gender, education, w])
with open(os.path.join(HERE, "plain_stems.csv"), "w", newline="") as out:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)

# stata_named_labels.dta (format 114: https://www.stata.com/help.cgi?dta_114)
random.seed(15)
BYTE, INT, DOUBLE = 251, 252, 255
BYTE_MISSING = 101
variables = [
    ("id", INT, "%8.0g", "", "Respondent"),
    ("trust1", BYTE, "%8.0g", "trust5", "Trust in: the police"),
    ("trust2", BYTE, "%8.0g", "trust5", "Trust in: the courts"),
    ("trust3", BYTE, "%8.0g", "trust5", "Trust in: the army"),
    ("trust4", BYTE, "%8.0g", "trust5", "Trust in: the press"),
    ("sat_a", BYTE, "%8.0g", "satis4", "How satisfied are you with the roads?"),
    ("sat_b", BYTE, "%8.0g", "satis4", "How satisfied are you with the water?"),
    ("gender", BYTE, "%8.0g", "sexlbl", "Gender"),
    ("wgt", DOUBLE, "%10.0g", "", "Survey weight"),
]
value_labels = {
    "trust5": [(1, "No trust at all"), (2, "Little trust"), (3, "Some trust"), (4, "Much trust"), (5, "Complete trust"), (9, "Don't know")],
    "satis4": [(1, "Very dissatisfied"), (2, "Dissatisfied"), (3, "Satisfied"), (4, "Very satisfied")],
    "sexlbl": [(1, "Female"), (2, "Male")],
}
cases = []
for r in range(40):
    level = random.randint(1, 5)
    trust = [min(5, max(1, level + random.choice([-1, 0, 0, 1]))) for _ in range(4)]
    if r % 6 == 2:
        trust[r % 4] = 9
    if r % 7 == 5:
        trust[(r + 1) % 4] = None
    content = random.randint(1, 4)
    sat = [min(4, max(1, content + random.choice([-1, 0, 0, 1]))) for _ in range(2)]
    cases.append([2000 + r] + trust + sat + [random.choice([1, 2]), random.choice([0.6, 0.9, 1.1, 1.75])])


def fixed(text, size):
    data = text.encode("ascii")
    assert len(data) < size
    return data + b"\0" * (size - len(data))


dta = bytearray()
dta += struct.pack("<BBBBhi", 114, 2, 1, 0, len(variables), len(cases))
dta += fixed("Named value labels", 81) + fixed("15 Jan 2025 10:00", 18)
dta += bytes(t for _, t, _, _, _ in variables)
for name, *_ in variables:
    dta += fixed(name, 33)
dta += b"\0" * (2 * (len(variables) + 1))
for _, _, fmt, _, _ in variables:
    dta += fixed(fmt, 49)
for _, _, _, labels, _ in variables:
    dta += fixed(labels, 33)
for *_, label in variables:
    dta += fixed(label, 81)
dta += b"\0" * 5
for case in cases:
    for (_, kind, _, _, _), value in zip(variables, case):
        if kind == BYTE:
            dta += struct.pack("<b", BYTE_MISSING if value is None else value)
        elif kind == INT:
            dta += struct.pack("<h", value)
        else:
            dta += struct.pack("<d", value)
for name, entries in value_labels.items():
    text = bytearray()
    offsets = []
    for _, label in entries:
        offsets.append(len(text))
        text += label.encode("ascii") + b"\0"
    table = struct.pack("<ii", len(entries), len(text)) + struct.pack(f"<{len(entries)}i", *offsets)
    table += struct.pack(f"<{len(entries)}i", *(v for v, _ in entries)) + bytes(text)
    dta += struct.pack("<i", len(table)) + fixed(name, 33) + b"\0" * 3 + table
with open(os.path.join(HERE, "stata_named_labels.dta"), "wb") as out:
    out.write(dta)
with open(os.path.join(HERE, "stata_named_labels_codes.csv"), "w", newline="") as out:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, *_ in variables])
    for case in cases:
        writer.writerow(["" if v is None else v for v in case])
