# The two entry points of the README. Both install what they need first.
SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
WAI := .build/debug/wai

.PHONY: report test deps build check-reports

## Regenerate Reports/chapter11 from Surveys/chapter11 and verify it against the published values.
report: build
	$(WAI) report Surveys/chapter11 --out Reports/chapter11
	$(WAI) verify Surveys/chapter11

## Unit and end-to-end tests, the reconstruction's own check, and the check that Reports/ is up to date.
test: deps
	swift test
	python3 Surveys/chapter11/reconstruct.py --check
	$(MAKE) --no-print-directory check-reports

## OpenBLAS (Debian libopenblas-dev, found through pkg-config) is the one system library wai links.
deps:
	@if ! pkg-config --exists openblas 2>/dev/null; then \
	  echo "installing libopenblas-dev and pkg-config (apt-get)"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas-dev pkg-config >/dev/null; \
	fi
	@command -v python3 >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null; }

build: deps
	swift build --product wai

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
