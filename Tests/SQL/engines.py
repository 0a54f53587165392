#!/usr/bin/env python3
"""End to end: `wai sql` on a real engine, then `wai merge --counts`, against `wai analyze`.

    python3 Tests/SQL/engines.py WAI FIXTURE_DIR ENGINE
    python3 Tests/SQL/engines.py WAI FIXTURE_DIR counts OUT.csv   (only run the DuckDB query, write its rows)

ENGINE is duckdb (the CSV and a Parquet copy), postgres (the PostgreSQL text, run by DuckDB
on a table: only the subset of PostgreSQL both accept is tested) or spark (a local[2] Apache
Spark session via pyspark; needs Java). The query runs on FIXTURE_DIR/responses.csv; its rows
are written as the counts CSV; every number of `wai merge --counts`'s JSON must equal
`wai analyze`'s on the same rows (relative 1e-9: the engines sum in another order), except the
bootstrap's fields, the provenance, the data name and the inference options (analyze runs
with --rank-ties midpoint, the tie rule a counts table gives). Exit 0 when equal; the differences otherwise.
"""
import csv, json, math, os, subprocess, sys, tempfile, time

wai, fixture, engine = sys.argv[1:4]
spec = os.path.join(fixture, "survey.yaml")
responses = os.path.join(fixture, "responses.csv")
work = tempfile.mkdtemp(prefix="wai-sql-")
BY = ["--by", "gender", "--by", "job"]


def run(args):
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def query(dialect, table):
    text = run([wai, "sql", spec, "--dialect", dialect, "--table", table]).rstrip()
    statements = [s.strip() for s in text.split(";\n\n")]
    return [s.rstrip(";") for s in statements]


def write_counts(path, header, rows):
    with open(path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        for row in rows:
            out.writerow(["" if v is None else repr(v) if isinstance(v, float) else v for v in row])


def strip(document):
    if isinstance(document, dict):
        return {k: strip(v) for k, v in document.items() if "bootstrap" not in k and k not in ("provenance", "data", "rank_ties")}
    if isinstance(document, list):
        return [strip(v) for v in document]
    return document


def differences(a, b, path="$"):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                yield f"{path}.{key}: only in {'analyze' if key in a else 'merge'}"
            else:
                yield from differences(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            yield f"{path}: {len(a)} entries in analyze, {len(b)} in merge"
        for i, (x, y) in enumerate(zip(a, b)):
            yield from differences(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        if not (isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)):
            yield f"{path}: analyze {a!r}, merge {b!r}"
    elif a != b:
        yield f"{path}: analyze {a!r}, merge {b!r}"


def check(counts_path, label):
    # A counts table has no row order: its weighted rank tests rank ties at their midpoints, which
    # `--rank-ties midpoint` asks of analyze too (its default follows R's file-order rule).
    direct = json.loads(run([wai, "analyze", responses, "--spec", spec, "--format", "json", "--replicates", "50",
                             "--rank-ties", "midpoint"] + BY))
    merged = json.loads(run([wai, "merge", spec, "--counts", counts_path, "--format", "json", "--replicates", "50"] + BY))
    # What a counts table without cross-products could not give must be there.
    composites = [t["composite"] for t in merged["tables"] if t.get("composite")]
    assert composites and all(c.get("se") for c in composites), f"{label}: a composite without its SE"
    assert any(t.get("reliability", {}).get("alpha") for t in merged["tables"]), f"{label}: no alpha"
    found = list(differences(strip(direct), strip(merged)))
    if found:
        print(f"{label}: {len(found)} numbers differ from `wai analyze`:", *found[:40], sep="\n  ")
        sys.exit(1)
    print(f"{label}: `wai merge --counts` equals `wai analyze` (tables, composites' SE, alpha, breakdowns, frequencies)")


if engine == "counts":
    import duckdb
    [sql] = query("duckdb", responses)
    result = duckdb.connect().execute(sql)
    write_counts(sys.argv[4], [d[0] for d in result.description], result.fetchall())
elif engine in ("duckdb", "postgres"):
    import duckdb
    con = duckdb.connect()
    if engine == "duckdb":
        parquet = os.path.join(work, "responses.parquet")
        con.execute(f"COPY (SELECT * FROM read_csv('{responses}', header = true, all_varchar = true)) TO '{parquet}' (FORMAT parquet)")
        sources = [("csv", responses), ("parquet", parquet)]
        dialect = "duckdb"
    else:
        con.execute(f"CREATE TABLE survey_responses AS SELECT * FROM read_csv('{responses}', header = true, all_varchar = true)")
        sources = [("table", "survey_responses")]
        dialect = "postgres"
    for label, table in sources:
        [sql] = query(dialect, table)
        result = con.execute(sql)
        header = [d[0] for d in result.description]
        path = os.path.join(work, f"counts-{label}.csv")
        write_counts(path, header, result.fetchall())
        check(path, f"{engine} ({label})")
elif engine == "spark":
    from pyspark.sql import SparkSession
    started = time.time()
    spark = (SparkSession.builder.master("local[2]").appName("wai-sql-test")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    setup, sql = query("spark", os.path.abspath(responses))
    spark.sql(setup)
    frame = spark.sql(sql)
    rows = [tuple(r) for r in frame.collect()]
    path = os.path.join(work, "counts-spark.csv")
    write_counts(path, frame.columns, rows)
    spark.stop()
    print(f"spark: query ran in {time.time() - started:.1f} s (session start included)")
    check(path, "spark (csv)")
else:
    sys.exit(f"unknown engine {engine!r}: expected duckdb, postgres or spark")
