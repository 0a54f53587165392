# Reference numbers for standard errors after raking and post-stratification, computed with
# R's survey package: the variance of a calibrated design residualizes each row's influence on
# the weighting cells (svyrecvar's postStrata), so these SEs are not those of fixed weights.
# Run from this directory (Rscript make_calibration_reference.R) or the repository root
# (Rscript Tests/WAIStatsTests/Reference/design/make_calibration_reference.R).
# Writes calibration.csv (design.csv with an age band) and calibration_reference.json.
# Work in this script's folder, where its CSVs and JSON are, wherever Rscript is run from.
script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
if (length(script)) setwd(dirname(gsub("~+~", " ", script, fixed = TRUE)))
source("reference_common.R")
set.seed(20261207)
d <- read.csv("design.csv")
d$age <- sample(c("A1", "A2", "A3"), nrow(d), replace = TRUE, prob = c(0.2, 0.5, 0.3))
d <- write_reread(d[, c("stratum", "psu", "fpc", "w", "q1", "q2", "q3", "q4", "sex", "age")], "calibration.csv")
# Group tests rank the answers the way they are scored (q4 reverse-keyed): the _t columns.
d <- add_scores(d, oa_parts = TRUE, ranks = TRUE)
d$sex <- factor(d$sex, levels = c("F", "M"))
d$age <- factor(d$age, levels = c("A1", "A2", "A3"))

estimates <- function(des) wai_estimates(des, linearized_oa)

sex_share <- c(F = 0.52, M = 0.48)
age_share <- c(A1 = 0.3, A2 = 0.4, A3 = 0.3)
cells <- expand.grid(sex = names(sex_share), age = names(age_share), stringsAsFactors = FALSE)
cells$share <- c(0.15, 0.14, 0.20, 0.19, 0.17, 0.15)
total <- sum(d$w)
calibrate_both <- function(base) list(
  rake = rake(base, list(~sex, ~age),
              list(data.frame(sex = names(sex_share), Freq = sex_share * total),
                   data.frame(age = names(age_share), Freq = age_share * total)),
              control = list(maxit = 500, epsilon = 1e-13)),
  poststratify = postStratify(base, ~sex + age, data.frame(cells[, 1:2], Freq = cells$share * total)),
  linear = do.call(calibrate, c(list(base, ~sex + age, c(`(Intercept)` = total, sexM = sex_share[["M"]] * total,
                                                          ageA2 = age_share[["A2"]] * total, ageA3 = age_share[["A3"]] * total),
                                     calfun = "linear"), if (inherits(base, "svyrep.design")) list(compress = FALSE))))

designs <- list(
  weights = svydesign(ids = ~1, weights = ~w, data = d),
  stratified_cluster_fpc = svydesign(ids = ~psu, strata = ~stratum, fpc = ~fpc, weights = ~w, nest = TRUE, data = d),
  stratified_rows = svydesign(ids = ~1, strata = ~stratum, weights = ~w, data = d))
# svyranktest and svychisq (statistic "F") by sex (two groups) and by age (three) on a
# calibrated design: their influence totals are residualized on the weighting cells too.
tests <- function(des) group_tests(des, items, c("sex", "age"), suffix = "_t")

result <- list(cells = cells)
for (name in names(designs)) {
  both <- calibrate_both(designs[[name]])
  for (method in names(both)) {
    result[[paste0(name, "_", method)]] <- estimates(both[[method]])
    result[[paste0(name, "_", method)]]$tests <- tests(both[[method]])
  }
  # The same weights taken as fixed, for the test to see that calibration matters.
  fixed <- designs[[name]]
  fixed$prob <- 1 / weights(both$rake)
  result[[paste0(name, "_rake_fixed")]] <- estimates(fixed)
  result[[paste0(name, "_rake_fixed")]]$tests <- tests(fixed)
}
# Replicate weights calibrated too: replicates.csv (make_replicate_reference.R) with an age band,
# its JK1 and bootstrap columns; rake()/postStratify() on a svrepdesign calibrate every replicate.
set.seed(20261208)
e <- read.csv("replicates.csv")
e$age <- sample(c("A1", "A2", "A3"), nrow(e), replace = TRUE, prob = c(0.2, 0.5, 0.3))
e <- write_reread(e[, c("stratum", "psu", "w", items, "sex", "age", grep("^(jk1|boot)_[0-9]+$", names(e), value = TRUE))],
                  "replicates_calibration.csv")
e <- add_scores(e)
replicate_estimates <- function(des) wai_estimates(des, replicate_oa, item_deff = FALSE)
total <- sum(e$w)
replicated <- list(
  jk1 = svrepdesign(data = e, weights = ~w, repweights = "^jk1_[0-9]+$", combined.weights = TRUE, type = "JK1", scale = 19 / 20, mse = FALSE),
  boot = svrepdesign(data = e, weights = ~w, repweights = "^boot_[0-9]+$", combined.weights = TRUE, type = "bootstrap",
                     scale = 1 / 39, mse = FALSE))
for (name in names(replicated)) {
  both <- calibrate_both(replicated[[name]])
  for (method in names(both)) result[[paste0(name, "_", method)]] <- replicate_estimates(both[[method]])
  result[[paste0(name, "_uncalibrated")]] <- replicate_estimates(replicated[[name]])
}
write_reference(result, "calibration_reference.json")
