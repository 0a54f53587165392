# Reference numbers for wai's design-based group comparisons (svyranktest, svychisq), computed
# with R's survey package. Run from this directory (Rscript make_test_reference.R) or the repository
# root (Rscript Tests/WAIStatsTests/Reference/design/make_test_reference.R).
# Reads design.csv (make_design_reference.R), adds a three-group demographic with missing
# answers and JK1 replicate weights, and writes tests.csv and test_reference.json.
# Work in this script's folder, where its CSVs and JSON are, wherever Rscript is run from.
script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
if (length(script)) setwd(dirname(gsub("~+~", " ", script, fixed = TRUE)))
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
d <- write_reread(d, "tests.csv")
d$q4 <- 6 - d$q4                       # q4 is reverse-keyed in wai: rank it the way it is scored
d$sex <- factor(d$sex, levels = c("F", "M"))
d$region <- factor(d$region, levels = c("North", "South", "East"))

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
    entry <- list(chisq = chisq_entry(x))
    if (g == "sex") entry$rank <- two_group_rank(svyranktest(as.formula(paste(v, "~", g)), repdesign))
    out[[g]][[v]] <- entry
  }
  out$note <- conditionMessage(e)
  out
})
write_reference(result, "test_reference.json")
