# Reference numbers for wai's replicate-weight standard errors, computed with R's survey package.
# Run from this directory (Rscript make_replicate_reference.R) or the repository root
# (Rscript Tests/WAIStatsTests/Reference/design/make_replicate_reference.R).
# Reads design.csv (make_design_reference.R), turns its design into replicate weights of each type
# with as.svrepdesign, writes them beside the data as replicates.csv, and writes what
# svrepdesign(weights = ~w, repweights = <those columns>, type = …, combined.weights = TRUE)
# estimates from that file to replicate_reference.json.
# Work in this script's folder, where its CSVs and JSON are, wherever Rscript is run from.
script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
if (length(script)) setwd(dirname(gsub("~+~", " ", script, fixed = TRUE)))
source("reference_common.R")
d <- read.csv("design.csv")
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
e <- add_scores(write_reread(out, "replicates.csv"))

estimates <- function(des) c(wai_estimates(des, replicate_oa), list(scale = des$scale, rscales = des$rscales))

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
write_reference(result, "replicate_reference.json")
