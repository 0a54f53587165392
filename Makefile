# The two entry points of the README. Both install what they need first.
SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
WAI := .build/debug/wai

.PHONY: report test libs deps pydeps build release check-reports

## Regenerate Reports/chapter11 from Surveys/chapter11 and verify it against the published values.
report: build
	$(WAI) report Surveys/chapter11 --out Reports/chapter11
	$(WAI) verify Surveys/chapter11

## Unit and end-to-end tests, the reconstruction's own check, and the check that Reports/ is up to date.
test: deps pydeps
	swift test
	swift build --product wai-example-quickstart
	.build/debug/wai-example-quickstart Surveys/chapter11 >/dev/null
	python3 Surveys/chapter11/reconstruct.py --check
	$(MAKE) --no-print-directory check-reports

## The system libraries wai links: OpenBLAS (Debian libopenblas-dev, found through pkg-config) and
## ReadStat for SPSS/Stata files (libreadstat-dev, which ships no pkg-config file: found by its header).
libs:
	@if ! pkg-config --exists openblas 2>/dev/null || [ ! -f /usr/include/readstat.h ]; then \
	  echo "installing libopenblas-dev, libreadstat-dev and pkg-config (apt-get)"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas-dev libreadstat-dev pkg-config >/dev/null; \
	fi

## What the tests need besides: Python, Java, Chromium.
deps: libs
	@command -v python3 >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null; }
	@# Java 17 for the Spark test of `wai sql` (Tests/SQL/engines.py spark).
	@command -v java >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }
	@# Headless Chromium for the browser test of `wai serve` (Tests/WAICLITests/ServeTests.swift) and Tests/Rendering.
	@command -v chromium >/dev/null || { echo "installing chromium (apt-get)"; $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## Python packages the tests use: jsonschema (Tests/Schemas/validate.py), duckdb (Tests/DuckDB/counts_recipe.py, Tests/SQL/engines.py),
## pyspark (Tests/SQL/engines.py: a local[2] Spark session; needs Java 17, about 2.5 minutes to install) and
## openpyxl (Tests/Workbook/check_report_xlsx.py, Tests/WAIReadTests/Fixtures/make_workbook_fixtures.py).
pydeps:
	@for module in jsonschema duckdb openpyxl pyspark; do \
	  python3 -c "import $$module" 2>/dev/null && continue; \
	  echo "installing $$module (pip)"; \
	  python3 -m pip install --quiet $$module 2>/dev/null || python3 -m pip install --quiet --break-system-packages $$module || exit 1; \
	done

build: libs
	swift build --product wai

## The binary to install (README: Using it): release mode, with the Swift runtime and Foundation
## linked in, so that a run does not spend 10-20 ms loading 60 shared libraries. Linking
## Foundation's networking part statically needs libcurl's development files.
release: libs
	@pkg-config --exists libcurl 2>/dev/null || { echo "installing libcurl4-openssl-dev (apt-get)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libcurl4-openssl-dev >/dev/null; }
	swift build -c release --static-swift-stdlib --product wai

## Fails when a committed report differs from what the current code writes.
check-reports: build
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	for dir in Surveys/*/; do \
	  name=$$(basename "$$dir"); [ -f "$$dir/survey.yaml" ] || continue; \
	  $(WAI) report "$$dir" --out "$$tmp/$$name" >/dev/null || exit 1; \
	  if ! diff -r "Reports/$$name" "$$tmp/$$name"; then \
	    echo "Reports/$$name is stale: run 'make report' and commit the result"; exit 1; \
	  fi; \
	  if [ -f "$$dir/published.yaml" ]; then $(WAI) verify "$$dir" || exit 1; fi; \
	done; echo "Reports/ is up to date"
