#!/usr/bin/env python3
"""The DuckDB recipe of Surveys/COUNTS.md, run on a responses CSV: writes the counts table
that `wai merge SPEC --counts counts.csv` reads.

    python3 Tests/DuckDB/counts_recipe.py responses.csv counts.csv \
        --items qa,qb --demographics gender,job [--weight w]

--items lists the item columns, --demographics the spec's demographic columns, --weight its
weight column (then weight_sum and weight_sq_sum are written). The SQL is printed with --show.
"""
import argparse
import sys

import duckdb


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def recipe(responses, items, demographics, weight=None):
    """The query of COUNTS.md: unpivot the item columns (keeping unanswered cells as NULL),
    then one GROUP BY for the overall rows and one per demographic column."""
    sums = "count(*) AS count"
    if weight:
        w = f"CAST({quote(weight)} AS DOUBLE)"
        sums += f", sum({w}) AS weight_sum, sum({w} * {w}) AS weight_sq_sum"
    groups = [f"SELECT item, level, '' AS group_column, '' AS \"group\", {sums}, min(rn) AS first_row\n"
              f"  FROM answers GROUP BY item, level"]
    for column in demographics:
        literal = "'" + column.replace("'", "''") + "'"
        groups.append(f"SELECT item, level, {literal}, {quote(column)}, {sums}, min(rn)\n"
                      f"  FROM answers GROUP BY item, level, {quote(column)}")
    path = "'" + responses.replace("'", "''") + "'"
    return (
        "WITH responses AS (\n"
        f"  SELECT row_number() OVER () AS rn, * FROM read_csv({path}, header = true, all_varchar = true)\n"
        "), answers AS (\n"
        f"  SELECT * FROM responses UNPIVOT INCLUDE NULLS (level FOR item IN ({', '.join(quote(c) for c in items)}))\n"
        "), counts AS (\n  " + "\n  UNION ALL\n  ".join(groups) + "\n)\n"
        # first_row keeps categories in the order they first appear in the data, as wai meets them.
        f"SELECT item, level, group_column, \"group\", count{', weight_sum, weight_sq_sum' if weight else ''}\n"
        "FROM counts ORDER BY first_row, group_column, item, level NULLS FIRST"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("responses")
    parser.add_argument("counts")
    parser.add_argument("--items", required=True)
    parser.add_argument("--demographics", default="")
    parser.add_argument("--weight")
    parser.add_argument("--show", action="store_true", help="print the SQL")
    args = parser.parse_args()
    query = recipe(args.responses, args.items.split(","), [d for d in args.demographics.split(",") if d], args.weight)
    if args.show:
        print(query)
    target = "'" + args.counts.replace("'", "''") + "'"
    duckdb.sql(f"COPY ({query}) TO {target} (HEADER, DELIMITER ',')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
