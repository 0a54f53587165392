#!/usr/bin/env python3
"""Writes Tests/SQL/fixture/responses.csv: 400 seeded rows for the `wai sql` end-to-end tests.

Mixed scales (a five-level and a proportional seven-level one), a weight column, a composite
table, a reverse-keyed item, missing answers of several spellings, labels and aliases in any
case and spacing, a column name with a space and a quote, a fixed and an unfixed demographic.
"""
import csv, random, pathlib

rng = random.Random(16)
out = pathlib.Path(__file__).with_name("fixture") / "responses.csv"
degree = [["1", "very low", "VERY  LOW"], ["2", "Low", " low "], ["3", "Neutral", "medium"], ["4", "High", "HIGH"], ["5", "Very High", "very high"]]
missing = ["", "Don't know", "don't  KNOW", "N/A"]
with out.open("w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["id", "q_gov", "q \"co\" cn", "q_kh", "lr", "pid", "gender", "job", "w"])
    for r in range(400):
        trust = rng.gauss(0, 1)  # one latent trait, so the trust items correlate (alpha well above 0)

        def degree_answer(sign=1):
            if rng.random() < 0.12:
                return rng.choice(missing)
            return rng.choice(degree[min(4, max(0, round(2 + sign * 0.9 * trust + rng.gauss(0, 0.7))))])
        lr = "" if rng.random() < 0.1 else str(rng.randint(1, 7))
        pid = "" if rng.random() < 0.15 else rng.choice(["1", "2", "3", "Strong Democrat", "independent", "6", "7"])
        gender = rng.choice(["Female", "female", "Male", "male ", "", "Other"])
        job = rng.choice(["University", "Student", "student", "Farmer", ""])
        weight = rng.choice(["1", "0.5", "2.25", " 1.75", "3e-1", ".8", "1.125"])
        w.writerow([f"r{r}", degree_answer(), degree_answer(), degree_answer(-1), lr, pid, gender, job, weight])
