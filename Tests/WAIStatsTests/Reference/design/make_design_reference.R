# Reference numbers for wai's design-based and classical standard errors, computed with R's
# survey package. Run from this directory (Rscript make_design_reference.R) or the repository root
# (Rscript Tests/WAIStatsTests/Reference/design/make_design_reference.R).
# Writes design.csv (a generated stratified cluster sample) and design_reference.json.
# Work in this script's folder, where its CSVs and JSON are, wherever Rscript is run from.
script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
if (length(script)) setwd(dirname(gsub("~+~", " ", script, fixed = TRUE)))
source("reference_common.R")
set.seed(20261204)
psus <- c(3, 4, 5, 2, 6)            # sampled PSUs per stratum
N_psu <- c(10, 12, 20, 8, 30)       # population PSUs per stratum (fpc)
rows <- list()
for (h in seq_along(psus)) for (p in seq_len(psus[h])) {
  m <- sample(8:20, 1)
  shift <- rnorm(1, 0, 0.8) + h / 3    # PSU effect: answers cluster
  q <- sapply(1:4, function(j) pmin(5, pmax(1, round(3 + shift - (j == 4) * 2 * shift + rnorm(m, 0, 1.1)))))
  q[matrix(runif(length(q)) < 0.1, nrow = m)] <- NA
  rows[[length(rows) + 1]] <- data.frame(
    stratum = paste0("S", h), psu = paste0("S", h, "P", p), fpc = N_psu[h],
    w = round(N_psu[h] / psus[h] * runif(m, 0.5, 1.5), 3),
    q1 = q[, 1], q2 = q[, 2], q3 = q[, 3], q4 = q[, 4],
    sex = sample(c("F", "M"), m, replace = TRUE))
}
d <- do.call(rbind, rows)
# Lonely PSUs: stratum S4 (2 PSUs) split into two strata of one PSU each.
d$stratum_l <- ifelse(d$stratum == "S4", d$psu, d$stratum)
# Rows as PSUs: population rows per stratum.
d$fpc_rows <- ave(seq_len(nrow(d)), d$stratum, FUN = length) * 5
d <- add_scores(write_reread(d, "design.csv"), oa_parts = TRUE)

estimates <- function(des) wai_estimates(des, linearized_oa, group_deff = TRUE)

result <- list()
result$stratified_cluster_fpc <- estimates(svydesign(ids = ~psu, strata = ~stratum, fpc = ~fpc, weights = ~w, nest = TRUE, data = d))
result$stratified_cluster <- estimates(svydesign(ids = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = d))
result$cluster <- estimates(svydesign(ids = ~psu, weights = ~w, data = d))
result$stratified_rows_fpc <- estimates(svydesign(ids = ~1, strata = ~stratum, fpc = ~fpc_rows, weights = ~w, data = d))
for (lonely in c("adjust", "average", "certainty", "remove")) {
  options(survey.lonely.psu = lonely)
  result[[paste0("lonely_", lonely)]] <- estimates(svydesign(ids = ~psu, strata = ~stratum_l, weights = ~w, nest = TRUE, data = d))
}
options(survey.lonely.psu = "fail")

# Classical SEs, sd(s)/sqrt(n) over the answered rows, on ../bfi.csv (overall and by gender).
b <- read.csv("../bfi.csv")
bfi_rev <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
classical <- list(all = list(), Male = list(), Female = list())
for (v in paste0(rep(c("A", "C", "E", "N", "O"), each = 5), 1:5)) {
  s <- if (v %in% bfi_rev) (6 - b[[v]]) / 5 else (b[[v]] - 1) / 5
  se <- function(x) { x <- x[!is.na(x)]; sd(x) / sqrt(length(x)) }
  classical$all[[v]] <- se(s)
  for (g in c("Male", "Female")) classical[[g]][[v]] <- se(s[!is.na(b$gender) & b$gender == g])
}
result$classical_bfi <- classical
write_reference(result, "design_reference.json")
