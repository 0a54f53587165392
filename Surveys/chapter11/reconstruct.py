#!/usr/bin/env python3
"""Deterministic reconstruction of the Chapter 11 perception survey (CSAF, 2024).

The chapter's microdata is not public. This script writes `responses.csv`, a
synthetic data set of 99 respondents consistent with every number the chapter
prints (see README.md in this directory), then reads the file back and checks
every published fact and every design target. Any failed check exits non-zero.

    python3 Surveys/chapter11/reconstruct.py           # (re)write responses.csv and check it
    python3 Surveys/chapter11/reconstruct.py --check   # exit 1 if responses.csv is stale

Python 3 standard library only. Randomness comes from a SplitMix64 generator
implemented here with a fixed seed, and only integer arithmetic and single
IEEE-754 operations are used on the random draws, so the output is byte-identical
on every Python version and platform.
"""

import argparse
import csv
import io
import os
import sys
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "responses.csv")

SEED = 0x0C11_2024_9924_9911  # "Chapter 11", 2024, ISBN 978-9924-9911-0-6
MASK64 = (1 << 64) - 1

# --------------------------------------------------------------------------------------
# The scale and the published facts
# --------------------------------------------------------------------------------------

LEVELS = ["Very Low", "Low", "Neutral", "High", "Very High"]  # level i (1..5) weighs (i-1)/4
MISSING_MARKERS = ["", "Don't know"]  # both are in survey.yaml's scale.missing

BAND_UPPER = [Fraction(20, 100), Fraction(40, 100), Fraction(60, 100), Fraction(80, 100), Fraction(1)]
BAND_LABELS = ["Very Low", "Low", "Neutral", "High", "Very High"]
TABLE1_BAND_LABELS = ["Very Low", "Low", "Medium", "High", "Very High"]

RESPONDENTS = 99
GENDER = [("Female", 46), ("Male", 53)]
GENDER_PERCENT = {"Female": "46.5", "Male": "53.5"}
# Figure 1 prints percentages only; they fit 94 answers exactly, so 5 respondents left it blank.
JOB = [("University", 26), ("NGO/IO/UN", 18), ("Student", 18), ("Public sector", 16),
       ("Private sector", 12), ("Researcher", 4), ("", 5)]
JOB_PERCENT = {"University": "27.7", "NGO/IO/UN": "19.1", "Student": "19.1",
               "Public sector": "17.0", "Private sector": "12.8", "Researcher": "4.3"}

# Table 1 (n = 99): printed WAI and OA band.
TABLE1_PUBLISHED = {
    "gov": ("0.60", "Medium"),
    "co_cn": ("0.64", "High"),
    "co_kh": ("0.59", "Medium"),
    "ppl_cn": ("0.67", "High"),
    "ppl_kh": ("0.47", "Medium"),
}

# --------------------------------------------------------------------------------------
# The design: per item, the number of missing answers and the count of each level among
# those who answered (Very Low … Very High). Counts were chosen once as the unimodal
# vector, every level used, closest to a discretised normal (sd 1 level) whose mean gives
# the target index; they are fixed here so the reconstruction is transparent.
#   table1: exact sums S = sum(level-1) with S/(4n) within 0.002 of the printed value.
#   figures: only the band is published; "aim" is the design range inside it.
# --------------------------------------------------------------------------------------

ITEMS = [
    # id, table, missing, counts[VL, L, N, H, VH], published band, aim range
    ("gov",                "table1",  0, [3, 15, 34, 33, 14], "Medium",  None),
    ("co_cn",              "table1",  0, [2, 12, 32, 35, 18], "High",    None),
    ("co_kh",              "table1",  0, [3, 16, 35, 32, 13], "Medium",  None),
    ("ppl_cn",             "table1",  0, [1, 10, 30, 37, 21], "High",    None),
    ("ppl_kh",             "table1",  0, [8, 27, 38, 21, 5],  "Medium",  None),
    ("fin_crisis",         "figure2", 2, [1, 9, 28, 37, 22],  "High",    ("0.64", "0.76")),
    ("dev_priorities",     "figure2", 0, [1, 7, 24, 38, 29],  "High",    ("0.64", "0.76")),
    ("gov_change",         "figure2", 4, [2, 10, 30, 35, 18], "High",    ("0.64", "0.76")),
    ("multilateral_trade", "figure2", 3, [1, 7, 27, 36, 25],  "High",    ("0.64", "0.76")),
    ("regional_trade",     "figure2", 1, [1, 6, 23, 38, 30],  "High",    ("0.64", "0.76")),
    ("national_trade",     "figure2", 2, [1, 7, 26, 36, 27],  "High",    ("0.64", "0.76")),
    ("peace",              "figure3", 1, [4, 18, 36, 30, 10], "Neutral", ("0.46", "0.57")),
    ("human_rights",       "figure3", 3, [7, 24, 37, 22, 6],  "Neutral", ("0.46", "0.57")),
    ("community_dev",      "figure3", 0, [4, 20, 37, 28, 10], "Neutral", ("0.46", "0.57")),
    ("climate",            "figure3", 2, [6, 21, 37, 25, 8],  "Neutral", ("0.46", "0.57")),
    ("intl_affairs",       "figure3", 4, [5, 19, 36, 26, 9],  "Neutral", ("0.46", "0.57")),
    ("covid",              "figure3", 1, [1, 7, 26, 37, 27],  "High",    ("0.65", "0.74")),
    ("national_interest",  "figure3", 2, [1, 10, 29, 36, 21], "High",    ("0.65", "0.74")),
    ("garments",           "figure4", 3, [1, 6, 25, 36, 28],  "High",    ("0.66", "0.77")),
    ("construction",       "figure4", 1, [1, 9, 29, 36, 23],  "High",    ("0.66", "0.77")),
    ("tourism",            "figure4", 0, [1, 5, 21, 38, 34],  "High",    ("0.66", "0.77")),
    ("agriculture",        "figure4", 2, [1, 7, 27, 37, 25],  "High",    ("0.66", "0.77")),
]
TABLES = ["table1", "figure2", "figure3", "figure4"]

HEADER = ["respondent", "gender", "job"] + ["q_" + item[0] for item in ITEMS]

# Answer model: latent score = G * general disposition + T * table factor + E * item noise;
# the respondents who answered an item are ranked by score and given the fixed counts
# from the lowest level up, so counts are exact and answers correlate within a person.
LOADING_GENERAL = 0.6
LOADING_TABLE = 0.5
LOADING_NOISE = 0.85


# --------------------------------------------------------------------------------------
# Randomness
# --------------------------------------------------------------------------------------

class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(self, n):
        """Uniform integer in [0, n), unbiased (rejection sampling)."""
        limit = ((1 << 64) // n) * n
        while True:
            x = self.next()
            if x < limit:
                return x % n

    def normal(self):
        """Approximately standard normal: Irwin-Hall sum of 12 uniforms minus 6.
        The sum is done on 53-bit integers, then one exact scaling and one subtraction."""
        total = 0
        for _ in range(12):
            total += self.next() >> 11
        return total / 9007199254740992.0 - 6.0

    def shuffle(self, values):
        values = list(values)
        for i in range(len(values) - 1, 0, -1):
            j = self.below(i + 1)
            values[i], values[j] = values[j], values[i]
        return values


# --------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------

def generate():
    """The CSV text (str) of the reconstruction."""
    rng = SplitMix64(SEED)
    n = RESPONDENTS

    genders = rng.shuffle([g for g, count in GENDER for _ in range(count)])
    jobs = rng.shuffle([j for j, count in JOB for _ in range(count)])
    general = [rng.normal() for _ in range(n)]
    table_factor = {t: [rng.normal() for _ in range(n)] for t in TABLES}

    answers = {}
    for item_id, table, missing, counts, _band, _aim in ITEMS:
        column = [None] * n
        # Who did not answer, and how the blank was exported.
        order = list(range(n))
        for k in range(missing):
            j = k + rng.below(n - k)
            order[k], order[j] = order[j], order[k]
            column[order[k]] = MISSING_MARKERS[rng.below(len(MISSING_MARKERS))]
        noise = [rng.normal() for _ in range(n)]
        answered = [r for r in range(n) if column[r] is None]
        assert len(answered) == sum(counts), item_id
        score = {r: LOADING_GENERAL * general[r] + LOADING_TABLE * table_factor[table][r]
                 + LOADING_NOISE * noise[r] for r in answered}
        ranked = sorted(answered, key=lambda r: (score[r], r))
        position = 0
        for level, count in enumerate(counts):
            for r in ranked[position:position + count]:
                column[r] = LEVELS[level]
            position += count
        answers[item_id] = column

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for r in range(n):
        writer.writerow(["R%03d" % (r + 1), genders[r], jobs[r]] + [answers[item[0]][r] for item in ITEMS])
    return buffer.getvalue()


# --------------------------------------------------------------------------------------
# Independent checks, from the CSV text alone
# --------------------------------------------------------------------------------------

def round_half_up(value, decimals=2):
    scale = 10 ** decimals
    return Fraction((value * scale + Fraction(1, 2)).__floor__(), scale)


def fmt(value, decimals=2):
    return "%.*f" % (decimals, value)  # value is already rounded: exact at this precision


def band_of(rounded, labels):
    for upper, label in zip(BAND_UPPER, labels):
        if rounded <= upper:
            return label
    raise ValueError(rounded)


def band_interval(label, labels):
    """Exact-value interval [lo, hi) of indices that round into the band."""
    i = labels.index(label)
    lower = BAND_UPPER[i - 1] + Fraction(1, 100) if i > 0 else Fraction(0)
    return lower - Fraction(5, 1000), BAND_UPPER[i] + Fraction(5, 1000)


class Checker:
    def __init__(self):
        self.failures = []

    def check(self, condition, message):
        if not condition:
            self.failures.append(message)
        return condition


def pearson(xs, ys):
    n = len(xs)
    mx = Fraction(sum(xs), n)
    my = Fraction(sum(ys), n)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return float(sxy) / (float(sxx) * float(syy)) ** 0.5


def cronbach_alpha(rows):
    """Listwise Cronbach's alpha of a list of complete rows of scores."""
    k = len(rows[0])
    n = len(rows)

    def variance(values):
        m = Fraction(sum(values), n)
        return sum((v - m) ** 2 for v in values) / (n - 1)

    item_var = sum(variance([row[i] for row in rows]) for i in range(k))
    total_var = variance([sum(row) for row in rows])
    return float(Fraction(k, k - 1) * (1 - item_var / total_var))


def verify(text, out=sys.stdout):
    """Recompute every target from the CSV text; return the list of failures."""
    c = Checker()
    c.check(text.endswith("\n") and "\r" not in text, "line endings must be LF, file must end with a newline")
    c.check(not text.startswith("\ufeff"), "no BOM")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    c.check(rows and rows[0] == HEADER, "header row: %r" % (rows[0] if rows else None))
    data = [dict(zip(rows[0], row)) for row in rows[1:]]
    c.check(all(len(row) == len(HEADER) for row in rows), "every row has %d fields" % len(HEADER))
    c.check(len(data) == RESPONDENTS, "respondents: %d, expected %d" % (len(data), RESPONDENTS))
    c.check([d["respondent"] for d in data] == ["R%03d" % (i + 1) for i in range(RESPONDENTS)],
            "respondent ids R001…R099 in order")

    # Demographics
    print("Demographics", file=out)
    genders = [d["gender"] for d in data]
    for value, count in GENDER:
        got = genders.count(value)
        pct = fmt(round_half_up(Fraction(100 * got, len(genders)), 1), 1)
        c.check(got == count and pct == GENDER_PERCENT[value], "gender %s: %d (%s%%)" % (value, got, pct))
        print("  gender %-15s %3d  %5s%%  (published %d, %s%%)" % (value, got, pct, count, GENDER_PERCENT[value]), file=out)
    c.check(set(genders) == {g for g, _ in GENDER}, "gender values")
    first_half = genders[:46]
    c.check(0 < first_half.count("Female") < 46, "genders are shuffled")
    jobs = [d["job"] for d in data]
    answered_jobs = [j for j in jobs if j != ""]
    for value, count in JOB:
        got = jobs.count(value)
        if value == "":
            c.check(got == count, "job blank: %d, expected %d" % (got, count))
            print("  job    %-15s %3d" % ("(blank)", got), file=out)
            continue
        pct = fmt(round_half_up(Fraction(100 * got, len(answered_jobs)), 1), 1)
        c.check(got == count and pct == JOB_PERCENT[value], "job %s: %d (%s%%)" % (value, got, pct))
        print("  job    %-15s %3d  %5s%%  (published %s%% of those who answered)" % (value, got, pct, JOB_PERCENT[value]), file=out)
    c.check(set(jobs) <= {j for j, _ in JOB}, "job values")

    # Items
    print("\n%-19s %-8s %3s %2s %-20s %5s %7s %5s %-8s %s" % (
        "item", "table", "n", "mi", "counts VL..VH", "S", "WAI", "rnd", "band", "target"), file=out)
    scores = {}
    exact = {}
    markers_seen = set()
    for item_id, table, missing, counts, band, aim in ITEMS:
        column = [d["q_" + item_id] for d in data]
        values = []
        got_counts = [0] * len(LEVELS)
        got_missing = 0
        for v in column:
            if v in MISSING_MARKERS:
                got_missing += 1
                markers_seen.add(v)
                values.append(None)
            else:
                c.check(v in LEVELS, "%s: unknown answer %r" % (item_id, v))
                level = LEVELS.index(v) if v in LEVELS else 0
                got_counts[level] += 1
                values.append(level)
        scores[item_id] = values
        n = sum(got_counts)
        s = sum(i * k for i, k in enumerate(got_counts))
        wai = Fraction(s, 4 * n)
        exact[item_id] = wai
        rounded = round_half_up(wai)
        labels = TABLE1_BAND_LABELS if table == "table1" else BAND_LABELS
        got_band = band_of(rounded, labels)
        c.check(got_counts == counts, "%s: counts %s, design %s" % (item_id, got_counts, counts))
        c.check(all(k >= 1 for k in got_counts), "%s: every level used" % item_id)
        mode = got_counts.index(max(got_counts))
        c.check(all(got_counts[i] <= got_counts[i + 1] for i in range(mode))
                and all(got_counts[i] >= got_counts[i + 1] for i in range(mode, len(LEVELS) - 1)),
                "%s: unimodal counts %s" % (item_id, got_counts))
        c.check(got_band == band, "%s: band %s, published %s" % (item_id, got_band, band))
        # Never near a rounding edge: at least 0.002 from x.xx5.
        frac = wai * 100 - (wai * 100).__floor__()
        c.check(abs(frac - Fraction(1, 2)) >= Fraction(2, 10), "%s: WAI %.4f is near a rounding edge" % (item_id, float(wai)))
        if table == "table1":
            published_wai, _ = TABLE1_PUBLISHED[item_id]
            target = Fraction(published_wai)
            c.check(fmt(rounded) == published_wai, "%s: WAI %s, published %s" % (item_id, fmt(rounded), published_wai))
            c.check(abs(wai - target) <= Fraction(2, 1000), "%s: exact WAI %.4f not within 0.002 of %s" % (item_id, float(wai), published_wai))
            c.check(got_missing == 0 and n == RESPONDENTS, "%s: n = %d, published n = 99" % (item_id, n))
            c.check(TABLE1_PUBLISHED[item_id][1] == band, "%s: design band" % item_id)
            target_text = "%s %s" % (published_wai, TABLE1_PUBLISHED[item_id][1])
        else:
            lo, hi = band_interval(band, labels)
            c.check(lo + Fraction(1, 100) <= wai <= hi - Fraction(1, 100),
                    "%s: WAI %.4f within 0.01 of the %s band's edge" % (item_id, float(wai), band))
            c.check(Fraction(aim[0]) <= wai <= Fraction(aim[1]), "%s: WAI %.4f outside aim %s–%s" % (item_id, float(wai), *aim))
            c.check(0 <= got_missing <= 4 and got_missing == missing, "%s: %d missing, design %d" % (item_id, got_missing, missing))
            target_text = "%s (aim %s–%s)" % (band, aim[0], aim[1])
        print("%-19s %-8s %3d %2d %-20s %5d %7.4f %5s %-8s %s" % (
            item_id, table, n, got_missing, " ".join("%2d" % k for k in got_counts), s, float(wai),
            fmt(rounded), got_band, target_text), file=out)
    c.check(markers_seen == set(MISSING_MARKERS), "both missing markers used: %s" % sorted(markers_seen))

    # Composites (OA) and reliability
    print("\n%-8s %6s %4s %-8s %6s %7s %s" % ("table", "OA", "rnd", "band", "alpha", "mean r", "listwise n"), file=out)
    for table in TABLES:
        ids = [item[0] for item in ITEMS if item[1] == table]
        oa = sum(exact[i] for i in ids) / len(ids)
        labels = TABLE1_BAND_LABELS if table == "table1" else BAND_LABELS
        oa_band = band_of(round_half_up(oa), labels)
        if table == "figure2" or table == "figure4":
            c.check(oa_band == "High", "%s OA band %s" % (table, oa_band))
        complete = [[scores[i][r] for i in ids] for r in range(len(data))
                    if all(scores[i][r] is not None for i in ids)]
        alpha = cronbach_alpha(complete)
        rs = []
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                pairs = [(x, y) for x, y in zip(scores[ids[a]], scores[ids[b]]) if x is not None and y is not None]
                rs.append(pearson([p[0] for p in pairs], [p[1] for p in pairs]))
        mean_r = sum(rs) / len(rs)
        c.check(0.6 <= alpha <= 0.95, "%s: Cronbach's alpha %.3f implausible" % (table, alpha))
        c.check(min(rs) > 0, "%s: every inter-item correlation positive" % table)
        print("%-8s %6.4f %4s %-8s %6.3f %7.3f %d" % (table, float(oa), fmt(round_half_up(oa)), oa_band, alpha, mean_r, len(complete)), file=out)
    return c.failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="regenerate in memory; exit 1 if responses.csv differs (or a target fails)")
    args = parser.parse_args()

    text = generate()
    data = text.encode("utf-8")
    if args.check:
        failures = verify(text, out=io.StringIO())
        try:
            with open(OUTPUT, "rb") as f:
                committed = f.read()
        except OSError as error:
            print("reconstruct.py --check: cannot read %s: %s" % (OUTPUT, error), file=sys.stderr)
            return 1
        if failures:
            for failure in failures:
                print("FAIL: " + failure, file=sys.stderr)
            return 1
        if committed != data:
            print("reconstruct.py --check: %s is stale; run python3 %s" % (
                os.path.relpath(OUTPUT), os.path.relpath(os.path.abspath(__file__))), file=sys.stderr)
            return 1
        print("reconstruct.py --check: %s is up to date (%d bytes)" % (os.path.relpath(OUTPUT), len(data)))
        return 0

    with open(OUTPUT, "wb") as f:
        f.write(data)
    with open(OUTPUT, "rb") as f:
        written = f.read().decode("utf-8")
    print("wrote %s (%d respondents, %d bytes)\n" % (os.path.relpath(OUTPUT), RESPONDENTS, len(data)))
    failures = verify(written)
    if failures:
        print("\n%d check(s) FAILED:" % len(failures), file=sys.stderr)
        for failure in failures:
            print("  FAIL: " + failure, file=sys.stderr)
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
