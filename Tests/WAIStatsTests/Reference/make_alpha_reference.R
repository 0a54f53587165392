# Reference numbers for wai's reliability table, computed with R's psych package.
# Run from this directory:  Rscript make_alpha_reference.R
# psych::alpha on the raw codes of bfi.csv (the bfi.yaml tables, reverse-keyed items as keys),
# with psych's default use = "pairwise" on every respondent and listwise on the complete rows.
suppressMessages({ library(psych); library(jsonlite) })
d <- read.csv("bfi.csv")
traits <- list(A = paste0("A", 1:5), C = paste0("C", 1:5), E = paste0("E", 1:5), N = paste0("N", 1:5), O = paste0("O", 1:5))
reversed <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
table <- function(x, keys) {
  a <- psych::alpha(x, keys = keys, check.keys = FALSE, warnings = FALSE)
  t <- a$total
  list(n = nrow(x), raw_alpha = t$raw_alpha, std_alpha = t$std.alpha, g6 = t[["G6(smc)"]], average_r = t$average_r,
       signal_noise = t[["S/N"]], ase = t$ase, mean = t$mean, sd = t$sd, median_r = t$median_r,
       drop_raw_alpha = unname(a$alpha.drop$raw_alpha), drop_std_alpha = unname(a$alpha.drop$std.alpha),
       drop_average_r = unname(a$alpha.drop$average_r),
       raw_r = unname(a$item.stats$raw.r), std_r = unname(a$item.stats$std.r), r_cor = unname(a$item.stats$r.cor),
       r_drop = unname(a$item.stats$r.drop))
}
result <- list(pairwise = list(), listwise = list())
for (t in names(traits)) {
  x <- d[, traits[[t]]]
  keys <- traits[[t]][traits[[t]] %in% reversed]
  result$pairwise[[t]] <- table(x, if (length(keys)) keys else NULL)
  result$listwise[[t]] <- table(x[complete.cases(x), ], if (length(keys)) keys else NULL)
}
writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, pretty = TRUE), "alpha_reference.json")
