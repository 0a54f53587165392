#!/usr/bin/env python3
"""Runs the speed benchmark (see README.md) and prints its table as Markdown.

    python3 Benchmarks/Speed/bench.py --python /tmp/wai-bench-venv/bin/python [options]

Every measurement is a whole process, started fresh: wall time (the median of --repeat
runs), user+system CPU time and peak RSS from /usr/bin/time -v. Before timing, every tool's
numbers are checked against wai's: indices to 1e-9, counts exactly, and bootstrap standard
errors (J5, drawn independently by each side) to 10 % relative, the Monte Carlo noise of two
1,000-replicate bootstraps. Standard library only; the peers run in the Python given by --python.

The headline is what a user runs: `wai analyze FILE --spec SPEC --format json` with its
default options (linearization SEs, composite SE, Cronbach's alpha, 1,000 bootstrap replicates
for band certainty), and the lean run `--replicates 0 --no-covariances`.
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def measure(cmd, env=None):
    """One run under /usr/bin/time -v: (stdout, stderr, wall s, cpu s, peak RSS MB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-v", "-o", tf.name] + cmd, capture_output=True, text=True,
                              env=env)
        wall = time.perf_counter() - start
        report = open(tf.name).read()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    def field(name):
        return float(re.search(rf"{re.escape(name)}: ([0-9.]+)", report).group(1))
    cpu = field("User time (seconds)") + field("System time (seconds)")
    rss = field("Maximum resident set size (kbytes)") / 1024
    return proc.stdout, proc.stderr, wall, cpu, rss


def load_average():
    try:
        return open("/proc/loadavg").read().split()[0]
    except OSError:
        return "?"


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


# ------------------------------------------------------------------ checks

def close(a, b, tol=1e-9):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tol


def check(job, reference, result):
    """None when `result` gives wai's numbers, else what differs."""
    if job in ("J1", "J4"):
        for q, v in reference["items"].items():
            if not close(v, result["items"].get(q)):
                return f"{q}: {result['items'].get(q)} vs {v}"
    elif job == "J2":
        for column, groups in reference["groups"].items():
            for group, items in groups.items():
                if all(v is None for v in items.values()):
                    continue   # a group with no respondents (wai lists "missing" always)
                other = result["groups"].get(column, {}).get(group)
                if other is None:
                    return f"{column}={group!r} missing"
                for q, v in items.items():
                    if not close(v, other.get(q)):
                        return f"{column}={group} {q}: {other.get(q)} vs {v}"
    elif job == "J3":
        for q, v in reference["counts"].items():
            if list(result["counts"].get(q, [])) != v:
                return f"{q}: {result['counts'].get(q)} vs {v}"
    elif job == "J5":
        for q, v in reference["items"].items():
            if not close(v, result["items"].get(q)):
                return f"items {q}: {result['items'].get(q)} vs {v}"
        for q, v in reference["se"].items():
            other = result["se"].get(q)
            if other is None or abs(other / v - 1) > 0.10:
                return f"se {q}: {other} vs {v}"
    return None


def analyze_as_job(job, document):
    """The numbers of a `wai analyze --format json` document, in the shape of the job's result."""
    items = document["tables"][0]["items"]
    if job == "J5":
        return {"items": {item["id"]: item.get("wai") for item in items},
                "se": {item["id"]: (item.get("bootstrap") or {}).get("se") for item in items}}
    if job in ("J1", "J4"):
        return {"items": {item["id"]: item.get("wai") for item in items}}
    if job == "J3":
        return {"counts": {item["id"]: [level["count"] for level in item["counts"]] for item in items}}
    if job == "J2":
        groups = {}
        for breakdown in document["breakdowns"]:
            groups[breakdown["column"]] = {
                (group.get("category") or ""): {item["id"]: item.get("wai") for item in group["tables"][0]["items"]}
                for group in breakdown["groups"]}
        return {"groups": groups}
    raise ValueError(job)


# ------------------------------------------------------------------ main

DEFAULT = "`wai analyze` (default options)"
NO_BOOTSTRAP = "`wai analyze --replicates 0`"
LEAN = "`wai analyze --replicates 0 --no-covariances` (lean)"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default=sys.executable, help="a Python with duckdb, polars, pandas and numpy")
    parser.add_argument("--data", default="/tmp/wai-speed", help="where the generated files go (not in git)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--j5-rows", type=int, default=100_000, help="rows of the bootstrap job's file")
    parser.add_argument("--big-rows", type=int, default=4_000_000, help="rows of the memory check's file (0: skip)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", default="J1,J2,J3,J4,J5")
    parser.add_argument("--peers", default="duckdb,polars,pandas")
    parser.add_argument("--scratch", default=os.environ.get("SCRATCH", ".build-speed"))
    parser.add_argument("--out", help="also write the Markdown here")
    args = parser.parse_args()

    os.makedirs(args.data, exist_ok=True)
    load_at_start = load_average()
    bin_dir = os.path.join(ROOT, args.scratch, "release")
    speed = os.path.join(bin_dir, "wai-speed")
    wai = os.path.join(bin_dir, "wai")
    baseline = os.path.join(args.data, "baseline")
    sh(["cc", "-O2", "-o", baseline, os.path.join(HERE, "baseline.c")])

    def data_file(kind, rows):
        path = os.path.join(args.data, f"{kind}-{rows}x{args.items}.csv")
        if not os.path.exists(path):
            print(f"generating {path}", file=sys.stderr)
            sh([speed, "generate", "--rows", str(rows), "--items", str(args.items), "--format", kind, "--out", path + ".tmp"])
            os.rename(path + ".tmp", path)
        return path

    codes = data_file("codes", args.rows)
    labels = data_file("labels", args.rows)
    j5 = data_file("codes", args.j5_rows)
    specs = {}
    for job in ("J1", "J2", "J3", "J4", "J5"):
        specs[job] = os.path.join(args.data, f"{job}-{args.items}.yaml")
        with open(specs[job], "w") as f:
            sh([speed, "spec", job, "--items", str(args.items)], stdout=f)
    files = {"J1": codes, "J2": codes, "J3": codes, "J4": labels, "J5": j5}

    def tools(job):
        """(name, command, kind) for every way to run `job`."""
        f, spec = files[job], specs[job]
        out = [("wai", [speed, "run", job, f, "--spec", spec], "wai")]
        out.append(("wai, 1 worker", [speed, "run", job, f, "--spec", spec, "--workers", "1"], "wai"))
        if job in ("J1", "J3"):
            out.append(("wai, counts by BLAS GEMM", [speed, "run", job, f, "--spec", spec, "--counts", "blas"], "wai"))
        by = ["--by", "gender", "--by", "region"] if job == "J2" else []
        analyze = [wai, "analyze", f, "--spec", spec, "--format", "json"] + by
        out.append((DEFAULT, analyze, "analyze"))
        if job != "J5":
            out.append((NO_BOOTSTRAP, analyze + ["--replicates", "0"], "analyze"))
            out.append((LEAN, analyze + ["--replicates", "0", "--no-covariances"], "analyze"))
        if job == "J3":
            out.append(("plain C loop, 1 core", [baseline, f, "4"], "baseline"))
        for peer in args.peers.split(","):
            if peer:
                out.append((peer, [args.python, os.path.join(HERE, "peers.py"), peer, job, f, "--items", str(args.items)], "peer"))
        return out

    rows_out = []
    for job in args.jobs.split(","):
        size = os.path.getsize(files[job]) / 1e6
        reference = None
        results = []
        for name, cmd, kind in tools(job):
            walls, cpus, rsss, info = [], [], [], {}
            verdict = "—"
            for attempt in range(args.repeat):
                stdout, stderr, wall, cpu, rss = measure(cmd)
                walls.append(wall)
                cpus.append(cpu)
                rsss.append(rss)
                if attempt == 0:
                    if kind == "wai":
                        info = json.loads(stderr.strip().splitlines()[-1])
                        result = json.loads(stdout)
                        if reference is None:
                            reference = result
                            verdict = "reference"
                        else:
                            problem = check(job, reference, result)
                            verdict = "same" if problem is None else f"DIFFERS: {problem}"
                    elif kind == "analyze":
                        problem = check(job, reference, analyze_as_job(job, json.loads(stdout)))
                        verdict = "same" if problem is None else f"DIFFERS: {problem}"
                    elif kind == "baseline":
                        got = json.loads(stdout)
                        same = got["first_item"] == reference["counts"]["q01"] and got["rows"] == reference["rows"]
                        verdict = "same q01 counts" if same else "DIFFERS"
                    else:
                        problem = check(job, reference, json.loads(stdout))
                        verdict = "same" if problem is None else f"DIFFERS: {problem}"
            wall = statistics.median(walls)
            results.append(dict(job=job, tool=name, kind=kind, wall=wall, best=min(walls), cpu=statistics.median(cpus),
                                rss=max(rsss), mbs=size / wall, verdict=verdict, info=info, size=size))
            print(f"{job} {name}: {wall:.3f} s (best {min(walls):.3f}), cpu {statistics.median(cpus):.2f} s, "
                  f"{max(rsss):.0f} MB, {verdict} {info}", file=sys.stderr)
        fastest_peer = min((r["wall"] for r in results if r["tool"] in ("duckdb", "polars")), default=None)
        ours = next(r["wall"] for r in results if r["tool"] == "wai")
        for r in results:
            r["vs_wai"] = r["wall"] / ours
            r["fastest_peer"] = fastest_peer
        rows_out.extend(results)

    # Memory: the default command on 1× and 4× the rows (J1 and J2 specs).
    memory = []
    if args.big_rows:
        for rows in (args.rows, args.big_rows):
            f = data_file("codes", rows)
            for job in ("J1", "J2"):
                by = ["--by", "gender", "--by", "region"] if job == "J2" else []
                _, stderr, wall, cpu, rss = measure([wai, "analyze", f, "--spec", specs[job], "--format", "json"] + by)
                memory.append((job, rows, os.path.getsize(f) / 1e6, wall, rss))
                print(f"memory {job} default {rows} rows: {wall:.2f} s, {rss:.0f} MB", file=sys.stderr)

    # J5's floor: the row-by-row bootstrap is one GEMM of (replicates × rows) · (rows × items·levels);
    # its flops at this machine's measured OpenBLAS DGEMM rate are the least any row-by-row
    # bootstrap can take.
    floor = None
    if "J5" in args.jobs.split(","):
        binary = os.path.join(args.data, "gemm-floor")
        sh(["cc", "-O2", "-o", binary, os.path.join(HERE, "floor.c"), "-lopenblas"])
        out = subprocess.run([binary, str(args.j5_rows), str(args.items * 5), "1000"], check=True, capture_output=True, text=True).stdout
        floor = json.loads(out)

    # ---------------------------------------------------------- Markdown
    lines = []
    lines.append(f"Machine: {os.cpu_count()} cores (`nproc`), {cpu_model()}, Linux {platform.release()}; "
                 f"load average {load_at_start} at the start of the run, {load_average()} at the end. Data: {args.rows:,} respondents × {args.items} items "
                 f"({os.path.getsize(codes) / 1e6:.0f} MB as codes, {os.path.getsize(labels) / 1e6:.0f} MB as labels); "
                 f"J5 on {args.j5_rows:,} respondents, 1,000 replicates. Wall time is the median of {args.repeat} runs.")
    lines.append("")
    lines.append("| job | tool | wall (s) | best (s) | MB/s | CPU (s) | peak RSS (MB) | time ÷ wai | numbers | path (parse + aggregate CPU s) |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---|---|")
    for r in rows_out:
        info = r["info"]
        path = ""
        if info:
            path = f"{info.get('pipeline')}, {info.get('workers')} worker(s), {info.get('aggregation')} " \
                   f"({info.get('parse_s', 0):.2f} + {info.get('aggregate_s', 0):.2f})"
        lines.append(f"| {r['job']} | {r['tool']} | {r['wall']:.3f} | {r['best']:.3f} | {r['mbs']:.0f} | {r['cpu']:.2f} | {r['rss']:.0f} | "
                     f"{r['vs_wai']:.2f}× | {r['verdict']} | {path} |")
    lines.append("")
    lines.append("| job | fastest of DuckDB and Polars (s) | `wai analyze`, default (s) | its speed-up (target 2×) "
                 "| lean run (s) | its speed-up (target 5×) | bootstrap's share of the default run |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    for job in args.jobs.split(","):
        peers = [r for r in rows_out if r["job"] == job and r["tool"] in ("duckdb", "polars")]
        default = next((r for r in rows_out if r["job"] == job and r["tool"] == DEFAULT), None)
        if not peers or default is None:
            continue
        peer = min(r["wall"] for r in peers)
        lean = next((r for r in rows_out if r["job"] == job and r["tool"] == LEAN), None)
        without = next((r for r in rows_out if r["job"] == job and r["tool"] == NO_BOOTSTRAP), None)
        ratio = peer / default["wall"]
        verdict = ("met" if ratio >= 2 else "not met") if job != "J5" else "(no target)"
        lean_cells = f"{lean['wall']:.3f} | {peer / lean['wall']:.1f}× ({'met' if peer / lean['wall'] >= 5 else 'not met'})" if lean else "— | —"
        share = f"{max(0.0, 1 - without['wall'] / default['wall']) * 100:.0f} %" if without else "—"
        lines.append(f"| {job} | {peer:.3f} | {default['wall']:.3f} | {ratio:.1f}× ({verdict}) | {lean_cells} | {share} |")
    if memory:
        lines.append("")
        lines.append("| memory check: `wai analyze`, default options | respondents | file (MB) | wall (s) | peak RSS (MB) | target < 64 MB |")
        lines.append("|---|---:|---:|---:|---:|---|")
        for job, rows, size, wall, rss in memory:
            lines.append(f"| {job} | {rows:,} | {size:.0f} | {wall:.2f} | {rss:.0f} | {'met' if rss < 64 else 'not met'} |")
    if floor:
        j5 = next((r for r in rows_out if r["job"] == "J5" and r["tool"] == DEFAULT), None)
        lines.append("")
        lines.append(f"J5's flop floor: a row-by-row bootstrap needs one GEMM of ({floor['replicates']} × {floor['rows']:,}) · "
                     f"({floor['rows']:,} × {floor['columns']}) = {floor['flops'] / 1e9:.0f} GFLOP; this machine's OpenBLAS DGEMM "
                     f"(all cores) does that shape at {floor['gflops']:.1f} GFLOP/s, so {floor['seconds']:.3f} s is the least such a "
                     f"bootstrap takes, before reading the file. wai draws the same bootstrap from the level counts"
                     + (f": the whole default `wai analyze` took {j5['wall']:.3f} s ({j5['wall'] / floor['seconds']:.2f}× the floor)." if j5 else "."))
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
