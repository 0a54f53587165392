# Per-item code statistics (mean, SD, SD of the normalised score, quartiles) on bfi.csv, overall and by gender,
# unweighted (mean, sd, quantile type 7) and weighted (svymean, svyvar, svyquantile qrule = "math").
# Run from this directory:  Rscript make_items.R   (writes items.json)
suppressMessages(library(survey))
options(digits = 17)
d <- read.csv("bfi.csv", stringsAsFactors = FALSE)
items <- paste0(rep(c("A","C","E","N","O"), each = 5), 1:5)
reversed <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
for (v in items) d[[paste0(v, "_s")]] <- if (v %in% reversed) (6 - d[[v]]) / 5 else (d[[v]] - 1) / 5
stats <- function(rows, weighted) {
  out <- list()
  for (v in items) {
    x <- rows[[v]]; s <- rows[[paste0(v, "_s")]]; ok <- !is.na(x)
    if (!weighted) {
      q <- unname(quantile(x[ok], c(.25, .5, .75), type = 7))
      out[[v]] <- list(mean = mean(x[ok]), sd = sd(x[ok]), score_sd = sd(s[ok]), q = q)
    } else {
      des <- svydesign(ids = ~1, weights = ~w, data = rows[ok, ])
      f <- as.formula(paste0("~", v)); fs <- as.formula(paste0("~", v, "_s"))
      q <- as.numeric(svyquantile(f, des, c(.25, .5, .75), qrule = "math", ci = FALSE)[[1]])
      out[[v]] <- list(mean = unname(coef(svymean(f, des))), sd = sqrt(unname(coef(svyvar(f, des)))),
                       score_sd = sqrt(unname(coef(svyvar(fs, des)))), q = q)
    }
  }
  out
}
result <- list()
for (weighted in c(FALSE, TRUE)) {
  key <- if (weighted) "weighted" else "unweighted"
  result[[key]] <- list(all = stats(d, weighted), Male = stats(d[d$gender %in% "Male", ], weighted),
                        Female = stats(d[d$gender %in% "Female", ], weighted))
}
writeLines(jsonlite::toJSON(result, auto_unbox = TRUE, digits = NA, pretty = TRUE), "items.json")
