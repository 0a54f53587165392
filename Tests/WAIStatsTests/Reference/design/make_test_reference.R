# Reference numbers for wai's design-based group comparisons (svyranktest, svychisq), computed
# with R's survey package. Run from this directory:  Rscript make_test_reference.R
# Reads design.csv (make_design_reference.R), adds a three-group demographic with missing
# answers and JK1 replicate weights, and writes tests.csv and test_reference.json.
suppressMessages({ library(survey); library(jsonlite) })
source("reference_common.R")
set.seed(20261206)
d <- read.csv("design.csv")
# Region leans with q1 (so that some tests reject) and is missing on about 5 % of rows.
d$region <- sapply(ifelse(is.na(d$q1), 3, d$q1), function(q)
  sample(c("North", "South", "East", NA), 1, prob = c(0.15 + 0.08 * q, 0.45 - 0.08 * q, 0.35, 0.05)))
jk <- as.svrepdesign(svydesign(ids = ~psu, weights = ~w, data = d), type = "JK1", compress = FALSE)
rep <- as.matrix(unclass(weights(jk, "analysis")))
colnames(rep) <- paste0("jk_", seq_len(ncol(rep)))
d <- cbind(d[, c("stratum", "psu", "fpc", "w", "q1", "q2", "q3", "q4", "sex", "region")], round(rep, 6))
write.csv(d, "tests.csv", row.names = FALSE, na = "")
d <- read.csv("tests.csv")
d$q4 <- 6 - d$q4                       # q4 is reverse-keyed in wai: rank it the way it is scored
d$sex <- factor(d$sex, levels = c("F", "M"))
d$region <- factor(d$region, levels = c("North", "South", "East"))
items <- c("q1", "q2", "q3", "q4")

tests <- function(des) group_tests(des, items, c("sex", "region"))

result <- list()
result$weights <- tests(svydesign(ids = ~1, weights = ~w, data = d))
result$stratified_cluster_fpc <- tests(svydesign(ids = ~psu, strata = ~stratum, fpc = ~fpc, weights = ~w, nest = TRUE, data = d))
result$stratified_rows <- tests(svydesign(ids = ~1, strata = ~stratum, weights = ~w, data = d))
repdesign <- svrepdesign(weights = ~w, repweights = "jk_[0-9]+", type = "JK1", scale = (ncol(rep) - 1) / ncol(rep), combined.weights = TRUE, data = d)
result$jk1 <- tryCatch(tests(repdesign), error = function(e) {
  # multiranktest has no replicate-weight method in survey 4.1: keep the two-group tests and χ².
  out <- list()
  for (g in c("sex", "region")) for (v in items) {
    x <- svychisq(as.formula(paste("~", v, "+", g)), repdesign, statistic = "F")
    entry <- list(chisq = list(f = unname(x$statistic), ndf = unname(x$parameter[1]), ddf = unname(x$parameter[2]), p = unname(x$p.value)))
    if (g == "sex") {
      r <- svyranktest(as.formula(paste(v, "~", g)), repdesign)
      entry$rank <- list(t = unname(r$statistic), df = unname(r$parameter), p = r$p.value, estimate = unname(r$estimate))
    }
    out[[g]][[v]] <- entry
  }
  out$note <- conditionMessage(e)
  out
})
writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, pretty = TRUE), "test_reference.json")
