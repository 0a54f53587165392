# Reference rankings for wai's RankAgreement, from bfi.csv (written by make_reference.R) and a
# small table of tied ratings. Run from this directory:  Rscript make_rankings.R
# Writes rankings.json. Kendall's W (corrected for ties) from base R's friedman.test, whose
# tie-corrected statistic is m(n - 1)W with the raters as blocks (irr::kendall(correct = TRUE)
# gives the same); Spearman's rho is cor(method = "spearman") with cor.test(exact = FALSE)'s p-value.
kendall <- function(ratings, correct = TRUE) {            # ratings: objects x raters
  f <- friedman.test(t(ratings))
  m <- ncol(ratings); n <- nrow(ratings)
  list(value = unname(f$statistic) / (m * (n - 1)), statistic = f$statistic, p.value = f$p.value)
}
library(jsonlite)
d <- read.csv("bfi.csv", na.strings = "")
traits <- list(A = paste0("A", 1:5), C = paste0("C", 1:5), E = paste0("E", 1:5), N = paste0("N", 1:5), O = paste0("O", 1:5))
reversed <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
# An item's index among `rows`: the mean normalised score, or with `weighted` the w-weighted mean
# (svymean(~s, svydesign(ids = ~1, weights = ~w), na.rm = TRUE)) of the rows that answered it.
weighted <- FALSE
score <- function(v, rows) {
  x <- d[[v]][rows]; s <- if (v %in% reversed) (6 - x) / 5 else (x - 1) / 5
  w <- if (weighted) d$w[rows] else rep(1, length(rows))
  ok <- !is.na(s); sum(w[ok] * s[ok]) / sum(w[ok])
}

agreement <- function(column) {
  groups <- if (column == "gender") c("Male", "Female") else paste0("E", 1:5)
  out <- list()
  for (t in names(traits)) {
    wai <- sapply(groups, function(g) sapply(traits[[t]], score, rows = which(d[[column]] == g)))  # items x groups
    ranks <- apply(-wai, 2, rank)
    k <- kendall(wai, correct = TRUE)
    pairs <- list()
    for (a in 1:(length(groups) - 1)) for (b in (a + 1):length(groups)) {
      test <- suppressWarnings(cor.test(wai[, a], wai[, b], method = "spearman", exact = FALSE))
      pairs[[length(pairs) + 1]] <- list(groups = groups[c(a, b)], rho = unname(cor(wai[, a], wai[, b], method = "spearman")),
                                         p = test$p.value)
    }
    out[[t]] <- list(ranks = lapply(seq_along(groups), function(g) unname(ranks[, g])), W = k$value, chisq = unname(k$statistic),
                     df = length(traits[[t]]) - 1, p = k$p.value, spearman = pairs)
  }
  out
}

overall <- lapply(traits, function(items) unname(rank(-sapply(items, score, rows = seq_len(nrow(d))))))

# Ties: 6 objects rated by 3 raters (objects in rows), ranked descending as wai ranks items.
tied <- matrix(c(0.9, 0.9, 0.5, 0.5, 0.5, 0.1,
                 0.8, 0.7, 0.7, 0.3, 0.2, 0.2,
                 0.6, 0.9, 0.4, 0.4, 0.1, 0.3), ncol = 3)
kt <- kendall(tied, correct = TRUE)
tt <- suppressWarnings(cor.test(tied[, 1], tied[, 2], method = "spearman", exact = FALSE))
ties <- list(values = lapply(1:3, function(j) tied[, j]), ranks = lapply(1:3, function(j) unname(rank(-tied[, j]))),
             W = kt$value, chisq = unname(kt$statistic), p = kt$p.value,
             rho12 = unname(cor(tied[, 1], tied[, 2], method = "spearman")), p12 = tt$p.value)

education <- agreement("education"); gender <- agreement("gender")
# The same with bfi.csv's weight column w: weighted indices, then the same rank statistics.
weighted <- TRUE
stopifnot(all(!is.na(d$w) & d$w > 0))
weighted_overall <- lapply(traits, function(items) unname(rank(-sapply(items, score, rows = seq_len(nrow(d))))))
weighted_rankings <- list(overall = weighted_overall, education = agreement("education"), gender = agreement("gender"))
# score()'s weighted means are survey's: each item's svymean overall and svyby per group on
# svydesign(ids = ~1, weights = ~w) must agree with them.
suppressMessages(library(survey))
for (v in unlist(traits)) d[[paste0("s_", v)]] <- if (v %in% reversed) (6 - d[[v]]) / 5 else (d[[v]] - 1) / 5
des <- svydesign(ids = ~1, weights = ~w, data = d)
for (v in unlist(traits)) {
  f <- as.formula(paste0("~s_", v))
  stopifnot(abs(coef(svymean(f, des, na.rm = TRUE)) - score(v, seq_len(nrow(d)))) < 1e-12)
  for (column in c("gender", "education")) {
    by <- svyby(f, as.formula(paste0("~", column)), des, svymean, na.rm = TRUE)
    for (g in rownames(by)) stopifnot(abs(coef(by)[[g]] - score(v, which(d[[column]] == g))) < 1e-12)
  }
}
writeLines(toJSON(list(overall = overall, education = education, gender = gender, ties = ties, weighted = weighted_rankings),
                  auto_unbox = TRUE, digits = NA, pretty = TRUE), "rankings.json")
