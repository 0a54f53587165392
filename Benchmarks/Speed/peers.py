#!/usr/bin/env python3
"""The benchmark's jobs through DuckDB, Polars and pandas (see README.md).

    python peers.py duckdb|polars|pandas J1|J2|J3|J4|J5 FILE [--items 50] [--replicates 1000] [--seed S]

Prints the job's result as JSON on stdout, in the shape `wai-speed run` prints it, so that
bench.py can compare the numbers. Each job is written the way a competent user of that tool
would write it: DuckDB `read_csv` + one SQL query, Polars `scan_csv` (lazy) + one `select` or
`group_by`, pandas `read_csv` + vectorised column operations. Only the columns a job needs are
read (`usecols` / projection pushdown).

J5 (1,000-replicate Poisson bootstrap) has no equivalent in any of the three: each reads the
columns with its own CSV reader into NumPy, and the replicates are computed by the same NumPy
code for all three (`bootstrap` below), row by row: every respondent gets its own Poisson(1)
multiplier per replicate (splitmix64 of seed, row and replicate; Poisson(1) by its CDF), one
GEMM per block of rows. wai draws the same bootstrap from the level counts (a sum of n Poisson(1)
draws is one Poisson(n) draw), so the standard errors agree to Monte Carlo noise, not bit for bit.
"""
import argparse
import json
import math
import sys

LABELS = ["Very Low", "Low", "Neutral", "High", "Very High"]
SCORES = [0.0, 0.25, 0.5, 0.75, 1.0]          # normalized: (level - 1) / (k - 1)


def item_names(items):
    return [f"q{i + 1:02d}" for i in range(items)]


# ---------------------------------------------------------------- DuckDB

def duckdb_job(job, path, items):
    import duckdb
    names = item_names(items)
    con = duckdb.connect()
    src = f"read_csv('{path}', header = true)"
    if job in ("J1", "J4"):
        if job == "J1":
            score = lambda q: f"({q} - 1) / 4.0"
        else:
            score = lambda q: ("CASE " + q + " " + " ".join(
                f"WHEN '{label}' THEN {s}" for label, s in zip(LABELS, SCORES)) + " END")
        sql = "SELECT " + ", ".join(f"avg({score(q)}) AS {q}" for q in names) + f" FROM {src}"
        row = con.execute(sql).fetchone()
        return {"items": dict(zip(names, row))}
    if job == "J2":
        parts = ", ".join(
            f"sum(weight * ({q} - 1) / 4.0) / sum(CASE WHEN {q} IS NOT NULL THEN weight END) AS {q}" for q in names)
        sql = (f"SELECT gender, region, GROUPING(gender) AS gg, {parts} FROM {src} "
               "GROUP BY GROUPING SETS ((gender), (region))")
        groups = {"gender": {}, "region": {}}
        for row in con.execute(sql).fetchall():
            gender, region, gg = row[0], row[1], row[2]
            values = dict(zip(names, row[3:]))
            if gg == 0:
                groups["gender"][gender or ""] = values
            else:
                groups["region"][region or ""] = values
        return {"groups": groups}
    if job == "J3":
        # count_if: about 7× faster here than count(*) FILTER (WHERE …) or a sum of casts.
        parts = ", ".join(f"count_if({q} = {level})" for q in names for level in range(1, 6))
        row = con.execute(f"SELECT {parts} FROM {src}").fetchone()
        return {"counts": {q: list(row[5 * i:5 * i + 5]) for i, q in enumerate(names)}}
    if job == "J5":
        data = con.execute("SELECT " + ", ".join(f"coalesce({q}, 0)::UTINYINT AS {q}" for q in names) + f" FROM {src}").fetchnumpy()
        import numpy as np
        return bootstrap(np.column_stack([data[q] for q in names]), names)
    raise SystemExit(f"unknown job {job}")


# ---------------------------------------------------------------- Polars

def polars_job(job, path, items):
    import polars as pl
    names = item_names(items)
    lf = pl.scan_csv(path)
    if job in ("J1", "J4"):
        if job == "J1":
            exprs = [((pl.col(q) - 1) / 4).mean().alias(q) for q in names]
        else:
            mapping = dict(zip(LABELS, SCORES))
            exprs = [pl.col(q).replace_strict(mapping, default=None, return_dtype=pl.Float64).mean().alias(q) for q in names]
        row = lf.select(exprs).collect().row(0)
        return {"items": dict(zip(names, row))}
    if job == "J2":
        exprs = [((pl.col("weight") * (pl.col(q) - 1) / 4).sum()
                  / pl.col("weight").filter(pl.col(q).is_not_null()).sum()).alias(q) for q in names]
        groups = {}
        for column in ("gender", "region"):
            frame = lf.group_by(column).agg(exprs).collect()
            groups[column] = {(row[0] or ""): dict(zip(names, row[1:])) for row in frame.iter_rows()}
        return {"groups": groups}
    if job == "J3":
        exprs = [(pl.col(q) == level).sum().alias(f"{q}_{level}") for q in names for level in range(1, 6)]
        row = lf.select(exprs).collect().row(0)
        return {"counts": {q: list(row[5 * i:5 * i + 5]) for i, q in enumerate(names)}}
    if job == "J5":
        frame = lf.select([pl.col(q).fill_null(0).cast(pl.UInt8) for q in names]).collect()
        return bootstrap(frame.to_numpy(), names)
    raise SystemExit(f"unknown job {job}")


# ---------------------------------------------------------------- pandas

def pandas_job(job, path, items):
    import pandas as pd
    names = item_names(items)
    if job in ("J1", "J4"):
        frame = pd.read_csv(path, usecols=names)
        if job == "J4":
            mapping = dict(zip(LABELS, SCORES))
            return {"items": {q: float(frame[q].map(mapping).mean()) for q in names}}
        return {"items": {q: float(((frame[q] - 1) / 4).mean()) for q in names}}
    if job == "J2":
        frame = pd.read_csv(path, usecols=names + ["gender", "region", "weight"], keep_default_na=False,
                            na_values={q: [""] for q in names})
        groups = {}
        for column in ("gender", "region"):
            out = {}
            for key, part in frame.groupby(column, sort=False):
                w = part["weight"]
                out[key] = {q: float((w * (part[q] - 1) / 4).sum() / w[part[q].notna()].sum()) for q in names}
            groups[column] = out
        return {"groups": groups}
    if job == "J3":
        frame = pd.read_csv(path, usecols=names)
        return {"counts": {q: [int((frame[q] == level).sum()) for level in range(1, 6)] for q in names}}
    if job == "J5":
        frame = pd.read_csv(path, usecols=names).fillna(0).astype("uint8")
        return bootstrap(frame.to_numpy(), names)
    raise SystemExit(f"unknown job {job}")


# ---------------------------------------------------------------- the shared bootstrap

REPLICATES = 1000
SEED = 20240601


def bootstrap(codes, names, block=2048):
    """Per item, the standard error of its WAI over row-by-row Poisson(1) bootstrap replicates.

    codes: rows × items, 0 = missing, 1…5 = level. Replicate b's weight of row r is
    Poisson(1) drawn from splitmix64(seed + mix(r + C) + b·G).
    """
    import numpy as np
    rows, items = codes.shape
    k = 5
    B = REPLICATES
    seed = np.uint64(SEED)
    cdf, term, total = [], math.exp(-1.0), 0.0
    for j in range(16):
        if j > 0:
            term /= j
        total += term
        cdf.append(total)
    cdf = np.array(cdf)

    def mix(z):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))

    steps = np.arange(B, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    sums = np.zeros((B, items * k))
    with np.errstate(over="ignore"):
        for start in range(0, rows, block):
            stop = min(rows, start + block)
            r = np.arange(start, stop, dtype=np.uint64)
            base = seed + mix(r + np.uint64(0x632BE59BD9B4E019))
            u = (mix(base[:, None] + steps[None, :]) >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
            m = np.searchsorted(cdf, u, side="right").astype(np.float64)      # rows × B
            block_codes = codes[start:stop].astype(np.int64)
            onehot = np.zeros((stop - start, items * k))
            rr, ii = np.nonzero(block_codes)
            onehot[rr, ii * k + block_codes[rr, ii] - 1] = 1.0
            sums += m.T @ onehot
    sums = sums.reshape(B, items, k)
    totals = sums.sum(axis=2)
    wai = (sums * np.array(SCORES)).sum(axis=2) / totals
    se = wai.std(axis=0, ddof=1)
    counts = np.stack([(codes == level).sum(axis=0) for level in range(1, k + 1)], axis=1).astype(np.float64)
    point = (counts * np.array(SCORES)).sum(axis=1) / counts.sum(axis=1)
    return {"items": dict(zip(names, point.tolist())), "se": dict(zip(names, se.tolist()))}


def main():
    global REPLICATES, SEED
    parser = argparse.ArgumentParser()
    parser.add_argument("tool", choices=["duckdb", "polars", "pandas"])
    parser.add_argument("job", choices=["J1", "J2", "J3", "J4", "J5"])
    parser.add_argument("file")
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    REPLICATES, SEED = args.replicates, args.seed
    run = {"duckdb": duckdb_job, "polars": polars_job, "pandas": pandas_job}[args.tool]
    result = run(args.job, args.file, args.items)
    result["job"] = args.job
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
