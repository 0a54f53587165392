# Reference numbers for standard errors after raking and post-stratification, computed with
# R's survey package: the variance of a calibrated design residualizes each row's influence on
# the weighting cells (svyrecvar's postStrata), so these SEs are not those of fixed weights.
# Run from this directory:  Rscript make_calibration_reference.R
# Writes calibration.csv (design.csv with an age band) and calibration_reference.json.
suppressMessages({ library(survey); library(jsonlite) })
source("reference_common.R")
set.seed(20261207)
d <- read.csv("design.csv")
d$age <- sample(c("A1", "A2", "A3"), nrow(d), replace = TRUE, prob = c(0.2, 0.5, 0.3))
write.csv(d[, c("stratum", "psu", "fpc", "w", "q1", "q2", "q3", "q4", "sex", "age")], "calibration.csv", row.names = FALSE, na = "")
d <- read.csv("calibration.csv")
items <- c("q1", "q2", "q3", "q4")
reversed <- "q4"
for (v in items) d[[paste0(v, "_s")]] <- if (v %in% reversed) (5 - d[[v]]) / 4 else (d[[v]] - 1) / 4
for (v in items) { d[[paste0(v, "_y")]] <- ifelse(is.na(d[[v]]), 0, d[[paste0(v, "_s")]]); d[[paste0(v, "_x")]] <- as.numeric(!is.na(d[[v]])) }
# Group tests rank the answers the way they are scored (q4 reverse-keyed).
for (v in items) d[[paste0(v, "_t")]] <- if (v %in% reversed) 6 - d[[v]] else d[[v]]
d$sex <- factor(d$sex, levels = c("F", "M"))
d$age <- factor(d$age, levels = c("A1", "A2", "A3"))

estimates <- function(des) {
  out <- list(items = list(), groups = list(), oa = list())
  for (v in items) {
    f <- as.formula(paste0("~", v, "_s"))
    m <- svymean(f, des, na.rm = TRUE, deff = TRUE)
    out$items[[v]] <- list(wai = unname(coef(m)), se = unname(SE(m)[1]), deff = unname(deff(m)[1]))
    b <- svyby(f, ~sex, des, svymean, na.rm = TRUE)
    for (i in seq_len(nrow(b))) out$groups[[as.character(b$sex[i])]][[v]] <- list(wai = unname(coef(b)[i]), se = unname(SE(b)[i]))
  }
  out$oa <- linearized_oa(des, items)
  out
}

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
write.csv(e[, c("stratum", "psu", "w", items, "sex", "age", grep("^(jk1|boot)_[0-9]+$", names(e), value = TRUE))],
          "replicates_calibration.csv", row.names = FALSE, na = "")
e <- read.csv("replicates_calibration.csv")
for (v in items) e[[paste0(v, "_s")]] <- if (v %in% reversed) (5 - e[[v]]) / 4 else (e[[v]] - 1) / 4
index <- function(w, data, v) { ok <- !is.na(data[[v]]); sum(w[ok] * data[[paste0(v, "_s")]][ok]) / sum(w[ok]) }
replicate_estimates <- function(des) {
  out <- list(items = list(), groups = list(), oa = list())
  for (v in items) {
    f <- as.formula(paste0("~", v, "_s"))
    m <- svymean(f, des, na.rm = TRUE)
    out$items[[v]] <- list(wai = unname(coef(m)), se = unname(SE(m)[1]))
    b <- svyby(f, ~sex, des, svymean, na.rm = TRUE)
    for (i in seq_len(nrow(b))) out$groups[[as.character(b$sex[i])]][[v]] <- list(wai = unname(coef(b)[i]), se = unname(SE(b)[i]))
  }
  out$oa <- replicate_oa(des, items, index)
  out
}
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
writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, pretty = TRUE), "calibration_reference.json")
