# Reference numbers for wai's statistics, computed with R's survey and psych packages on
# the bfi data set that ships with psych (2,800 respondents, 25 six-point Likert items).
# Run from this directory:  Rscript make_reference.R
# Writes bfi.csv (the data, with a deterministic survey weight) and reference.json.
suppressMessages({ library(survey); library(psych) })
options(digits = 17)
data(bfi, package = "psych")
d <- bfi
d$w <- 1 + ((seq_len(nrow(d)) * 7) %% 5) / 2          # weights 1, 1.5, 2, 2.5, 3 in a fixed pattern
d$gender <- ifelse(d$gender == 1, "Male", "Female")
d$education <- ifelse(is.na(d$education), NA, paste0("E", d$education))
write.csv(d[, c(paste0(rep(c("A","C","E","N","O"), each = 5), 1:5), "gender", "education", "w")],
          "bfi.csv", row.names = FALSE, na = "")

traits <- list(A = paste0("A", 1:5), C = paste0("C", 1:5), E = paste0("E", 1:5), N = paste0("N", 1:5), O = paste0("O", 1:5))
reversed <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
items <- unlist(traits)
# Normalized WAI score of each answer: (x - 1)/5, reversed (6 - x)/5.
for (v in items) d[[paste0(v, "_s")]] <- if (v %in% reversed) (6 - d[[v]]) / 5 else (d[[v]] - 1) / 5

result <- list()
for (weighted in c(FALSE, TRUE)) {
  des <- if (weighted) svydesign(ids = ~1, weights = ~w, data = d) else svydesign(ids = ~1, weights = ~I(rep(1, nrow(d))), data = d)
  key <- if (weighted) "weighted" else "unweighted"
  out <- list()
  for (v in items) {
    m <- svymean(as.formula(paste0("~", v, "_s")), des, na.rm = TRUE)
    out[[v]] <- list(wai = unname(coef(m)), se = as.numeric(SE(m)))
  }
  # Composites: the mean of the items' domain means, by the delta method on survey totals.
  for (t in names(traits)) {
    vars <- c()
    for (v in traits[[t]]) {
      d[[paste0(v, "_num")]] <- ifelse(is.na(d[[v]]), 0, d[[paste0(v, "_s")]])
      d[[paste0(v, "_den")]] <- ifelse(is.na(d[[v]]), 0, 1)
      vars <- c(vars, paste0(v, "_num"), paste0(v, "_den"))
    }
    des2 <- if (weighted) svydesign(ids = ~1, weights = ~w, data = d) else svydesign(ids = ~1, weights = ~I(rep(1, nrow(d))), data = d)
    tot <- svytotal(as.formula(paste("~", paste(vars, collapse = "+"))), des2)
    expr <- parse(text = paste0("(", paste0(traits[[t]], "_num/", traits[[t]], "_den", collapse = "+"), ")/", length(traits[[t]])))[[1]]
    cm <- svycontrast(tot, expr)
    out[[paste0("OA_", t)]] <- list(wai = unname(coef(cm)), se = as.numeric(SE(cm)))
  }
  result[[key]] <- out
}

# Reliability: psych::alpha on complete cases of the reverse-scored items (unweighted).
rel <- list()
for (t in names(traits)) {
  x <- d[, paste0(traits[[t]], "_s")]
  x <- x[complete.cases(x), ]
  a <- psych::alpha(x, check.keys = FALSE, warnings = FALSE)
  rel[[t]] <- list(n = nrow(x), alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha, ase = a$total$ase,
                   r_drop = unname(a$item.stats$r.drop), alpha_if_deleted = unname(a$alpha.drop$raw_alpha))
}
result$reliability <- rel

# Group tests (unweighted), on the scored answers.
tests <- list()
for (v in items) {
  s <- d[[paste0(v, "_s")]]
  okg <- !is.na(s)
  wt <- suppressWarnings(wilcox.test(s[okg & d$gender == "Male"], s[okg & d$gender == "Female"], exact = FALSE, correct = TRUE))
  oke <- okg & !is.na(d$education)
  kt <- kruskal.test(s[oke], factor(d$education[oke]))
  ct <- suppressWarnings(chisq.test(table(d$education[oke], s[oke])))
  tests[[v]] <- list(wilcox_W = unname(wt$statistic), wilcox_p = wt$p.value,
                     kruskal_H = unname(kt$statistic), kruskal_p = kt$p.value,
                     chisq = unname(ct$statistic), chisq_df = unname(ct$parameter), chisq_p = ct$p.value)
}
tests[["holm_wilcox"]] <- as.list(p.adjust(sapply(items, function(v) tests[[v]]$wilcox_p), "holm"))
result$tests <- tests

writeLines(jsonlite::toJSON(result, auto_unbox = TRUE, digits = NA, pretty = TRUE), "reference.json")

# Raking and post-stratification on the respondents with an education answer (rake() needs
# every weighting variable answered): A1–A5 indices on the adjusted weights.
sub <- d[!is.na(d$education), ]
write.csv(sub[, c(paste0("A", 1:5), "gender", "education")], "bfi_rake.csv", row.names = FALSE, na = "")
n <- nrow(sub)
gender_share <- c(Male = 0.5, Female = 0.5)
edu_share <- c(E1 = 0.10, E2 = 0.20, E3 = 0.35, E4 = 0.20, E5 = 0.15)
base <- svydesign(ids = ~1, weights = ~I(rep(1, n)), data = sub)
raked <- rake(base, list(~gender, ~education),
              list(data.frame(gender = names(gender_share), Freq = gender_share * n),
                   data.frame(education = names(edu_share), Freq = edu_share * n)),
              control = list(maxit = 200, epsilon = 1e-12))
cells <- expand.grid(gender = c("Male", "Female"), education = names(edu_share), stringsAsFactors = FALSE)
cells$share <- c(0.04, 0.06, 0.10, 0.10, 0.18, 0.17, 0.10, 0.10, 0.07, 0.08)
post <- postStratify(base, ~gender + education, data.frame(cells[, 1:2], Freq = cells$share * n))
adjusted <- list()
for (name in c("rake", "poststratify")) {
  des <- if (name == "rake") raked else post
  w <- weights(des)
  out <- list(min_weight = min(w), max_weight = max(w), deff = n * sum(w^2) / sum(w)^2)
  for (v in paste0("A", 1:5)) out[[v]] <- unname(coef(svymean(as.formula(paste0("~", v, "_s")), des, na.rm = TRUE)))
  adjusted[[name]] <- out
}
result$adjusted <- adjusted
result$poststratify_cells <- cells
writeLines(jsonlite::toJSON(result, auto_unbox = TRUE, digits = NA, pretty = TRUE), "reference.json")
