# Reference numbers for wai's replicate-weight standard errors, computed with R's survey package.
# Run from this directory:  Rscript make_replicate_reference.R
# Reads design.csv (make_design_reference.R), turns its design into replicate weights of each type
# with as.svrepdesign, writes them beside the data as replicates.csv, and writes what
# svrepdesign(weights = ~w, repweights = <those columns>, type = …, combined.weights = TRUE)
# estimates from that file to replicate_reference.json.
suppressMessages({ library(survey); library(jsonlite) })
source("reference_common.R")
d <- read.csv("design.csv")
items <- c("q1", "q2", "q3", "q4")
reversed <- "q4"
# Variance units for BRR and Fay: two per stratum (odd and even PSUs).
d$vu <- paste0(d$psu_unit <- ifelse(as.integer(sub(".*P", "", d$psu)) %% 2 == 1, "a", "b"))
d$vu <- paste0(d$stratum, d$psu_unit)
d$psu_unit <- NULL
set.seed(20261206)
made <- list(
  jk1 = as.svrepdesign(svydesign(ids = ~psu, weights = ~w, data = d), type = "JK1", compress = FALSE),
  jkn = as.svrepdesign(svydesign(ids = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = d), type = "JKn", compress = FALSE),
  brr = as.svrepdesign(svydesign(ids = ~vu, strata = ~stratum, weights = ~w, nest = TRUE, data = d), type = "BRR", compress = FALSE),
  fay = as.svrepdesign(svydesign(ids = ~vu, strata = ~stratum, weights = ~w, nest = TRUE, data = d), type = "Fay", fay.rho = 0.3, compress = FALSE),
  boot = as.svrepdesign(svydesign(ids = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = d), type = "bootstrap", replicates = 40, compress = FALSE))
out <- d[, c("stratum", "psu", "w", items, "sex")]
for (name in names(made)) {
  rw <- weights(made[[name]], type = "analysis")      # combined: the sampling weight is in them
  for (r in seq_len(ncol(rw))) out[[paste0(name, "_", r)]] <- round(rw[, r], 10)
}
write.csv(out, "replicates.csv", row.names = FALSE, na = "")

e <- read.csv("replicates.csv")
for (v in items) e[[paste0(v, "_s")]] <- if (v %in% reversed) (5 - e[[v]]) / 4 else (e[[v]] - 1) / 4
index <- function(w, data, v) { ok <- !is.na(data[[v]]); sum(w[ok] * data[[paste0(v, "_s")]][ok]) / sum(w[ok]) }

estimates <- function(des) {
  out <- list(items = list(), groups = list(), oa = list(), scale = des$scale, rscales = des$rscales)
  for (v in items) {
    f <- as.formula(paste0("~", v, "_s"))
    m <- svymean(f, des, na.rm = TRUE, deff = TRUE)
    out$items[[v]] <- list(wai = unname(coef(m)), se = unname(SE(m)[1]), deff = unname(deff(m)[1]))
    b <- svyby(f, ~sex, des, svymean, na.rm = TRUE)
    for (i in seq_len(nrow(b))) out$groups[[as.character(b$sex[i])]][[v]] <- list(wai = unname(coef(b)[i]), se = unname(SE(b)[i]))
  }
  out$oa <- replicate_oa(des, items, index)
  out
}

result <- list()
for (name in names(made)) {
  m <- made[[name]]
  columns <- paste0("^", name, "_[0-9]+$")
  args <- list(data = e, weights = ~w, repweights = columns, combined.weights = TRUE, type = m$type, mse = FALSE)
  if (m$type == "JKn") args$rscales <- m$rscales
  if (m$type == "Fay") args$rho <- 0.3
  if (m$type == "bootstrap") args$scale <- m$scale   # as.svrepdesign's: 1/(R − 1)
  des <- do.call(svrepdesign, args)
  stopifnot(isTRUE(all.equal(des$scale, m$scale)))
  result[[name]] <- estimates(des)
  if (name == "jk1") { args$mse <- TRUE; result$jk1_mse <- estimates(do.call(svrepdesign, args)) }
}
writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, pretty = TRUE), "replicate_reference.json")
