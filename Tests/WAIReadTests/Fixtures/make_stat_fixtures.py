#!/usr/bin/env python3
"""Writes the SPSS and Stata fixtures (spss_survey.sav, stata_survey.dta) with pyreadstat.

    python3 -m pip install pyreadstat
    python3 Tests/WAIReadTests/Fixtures/make_stat_fixtures.py

The files are committed; run this only to change them. Ten respondents: a gender (value labels
1 Female, 2 Male), three agreement items q1–q3 sharing one value-label set, with 9 "Don't know"
declared user-missing in the SPSS file; two satisfaction items s1, s2 sharing a set with a
wording no built-in scale knows (so their order comes from the value labels alone); a weight;
and a free-text comment.
"""
import pathlib

import pandas as pd
import pyreadstat

HERE = pathlib.Path(__file__).resolve().parent

frame = pd.DataFrame({
    "id": [101, 102, 103, 104, 105, 106, 107, 108, 109, 110],
    "gender": [1, 2, 1, 2, 1, 1, 2, 2, 1, 2],
    "q1": [4, 5, 3, 2, 4, 9, 5, 1, 4, 3],
    "q2": [5, 4, 4, 2, 3, 4, 5, 2, None, 4],
    "q3": [4, 4, 3, 1, 4, 5, 4, 2, 3, 9],
    "s1": [3, 4, 2, 1, 3, 4, 4, 2, 3, 3],
    "s2": [4, 4, 3, 2, 2, 4, 3, 1, 3, 4],
    "wt": [1.2, 0.8, 1.0, 1.1, 0.9, 1.3, 0.7, 1.0, 1.2, 0.8],
    "comment": ["", "Good service", "", "Too slow", "", "", "Friendly staff", "", "Long wait, but fine", ""],
})

agreement = {1.0: "Strongly disagree", 2.0: "Disagree", 3.0: "Neither agree nor disagree", 4.0: "Agree", 5.0: "Strongly agree", 9.0: "Don't know"}
satisfaction = {1.0: "Not at all content", 2.0: "A little content", 3.0: "Fairly content", 4.0: "Entirely content"}
labels = {"gender": {1.0: "Female", 2.0: "Male"}, "q1": agreement, "q2": agreement, "q3": agreement, "s1": satisfaction, "s2": satisfaction}
column_labels = {
    "id": "Respondent", "gender": "Gender", "q1": "The clinic staff listened to me", "q2": "I was seen on time",
    "q3": "The clinic was clean", "s1": "How content are you with the opening hours?", "s2": "How content are you with the prices?",
    "wt": "Survey weight", "comment": "Anything else?",
}

pyreadstat.write_sav(
    frame, HERE / "spss_survey.sav", column_labels=column_labels, variable_value_labels=labels,
    missing_ranges={"q1": [9], "q2": [9], "q3": [9]})

# Stata has no user-missing values: 9 ("Don't know") is left out of the Stata labels and data.
stata = frame.copy()
for column in ["q1", "q2", "q3"]:
    stata[column] = stata[column].where(stata[column] != 9)
stata_agreement = {k: v for k, v in agreement.items() if k != 9.0}
pyreadstat.write_dta(
    stata, HERE / "stata_survey.dta", column_labels=column_labels,
    variable_value_labels={**labels, "q1": stata_agreement, "q2": stata_agreement, "q3": stata_agreement})

# The mixed-scale questionnaire (spss_mixed.sav, stata_mixed.dta): eight degree items d1–d8
# sharing one value-label set (8 "Don't know", user-missing in SPSS), a four-item agreement
# grid a1–a4 sharing another, a gender with "Prefer not to say" and "Other", and a free-text
# comment with a line break. stat_mixed_codes.csv holds the same codes, for the tests' own count.
import csv
import random

random.seed(1515)
rows = []
for r in range(24):
    level = random.randint(1, 5)
    d = [min(5, max(1, level + random.choice([-1, 0, 0, 1]))) for _ in range(8)]
    if r % 6 == 1:
        d[r % 8] = 8
    if r % 7 == 3:
        d[(r + 2) % 8] = None
    latent = random.randint(1, 5)
    a = [min(5, max(1, latent + random.choice([-1, 0, 1]))) for _ in range(4)]
    if r % 5 == 2:
        a[r % 4] = None
    rows.append([1000 + r] + d + a + [random.choice([1, 2, 1, 2, 3, 4]), "" if r % 4 else f"Visit {r}:\nthe clinic was far"])
names = ["id"] + [f"d{i}" for i in range(1, 9)] + [f"a{j}" for j in range(1, 5)] + ["gender", "comment"]
mixed = pd.DataFrame(rows, columns=names)
degree = {1.0: "Very Low", 2.0: "Low", 3.0: "Medium", 4.0: "High", 5.0: "Very High", 8.0: "Don't know"}
agree = {1.0: "Strongly disagree", 2.0: "Disagree", 3.0: "Neither agree nor disagree", 4.0: "Agree", 5.0: "Strongly agree"}
gender = {1.0: "Female", 2.0: "Male", 3.0: "Prefer not to say", 4.0: "Other"}
institutions = ["the village chief", "the commune council", "the police", "the courts", "the health centre", "the school", "the NGOs", "the media"]
statements = ["The roads are safe", "The water is clean", "Officials listen to us", "I feel safe at night"]
mixed_labels = {**{f"d{i}": degree for i in range(1, 9)}, **{f"a{j}": agree for j in range(1, 5)}, "gender": gender}
mixed_columns = {"id": "Respondent", **{f"d{i}": f"How much do you trust {x}?" for i, x in enumerate(institutions, 1)},
                 **{f"a{j}": f"How much do you agree? {x}" for j, x in enumerate(statements, 1)},
                 "gender": "What is your gender?", "comment": "Anything else?"}
pyreadstat.write_sav(mixed, HERE / "spss_mixed.sav", column_labels=mixed_columns, variable_value_labels=mixed_labels,
                     missing_ranges={f"d{i}": [8] for i in range(1, 9)})
pyreadstat.write_dta(mixed, HERE / "stata_mixed.dta", column_labels=mixed_columns, variable_value_labels=mixed_labels)
with open(HERE / "stat_mixed_codes.csv", "w", newline="") as out:
    writer = csv.writer(out)
    writer.writerow(names[:-1])
    for row in rows:
        writer.writerow(["" if v is None else v for v in row[:-1]])

# Line breaks inside text values (cases 2 and 4), and a negative weight at case 6: a message must
# name case 6 and its variable, not the line of the CSV copy (which the breaks push down by two).
breaks = pd.DataFrame({
    "q1": [4, 5, 3, 2, 4, 1, 5, 3],
    "wt": [1.0, 1.0, 1.0, 1.0, 1.0, -1.0, 1.0, 1.0],
    "comment": ["", "first line\nsecond line", "", "a\nb", "", "", "", ""],
})
pyreadstat.write_sav(breaks, HERE / "spss_linebreak.sav", variable_value_labels={"q1": agreement})
