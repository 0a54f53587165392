# Shared by the make_*_reference.R scripts of this folder, which set the working directory to this
# folder and source() it: the survey sample's items and scores, the estimates and OA, the
# design-based group tests, and the CSV and JSON writing, as each reference computes them with R's
# survey package.
suppressMessages({ library(survey); library(jsonlite) })

# The items of design.csv and its derived samples (as in their .yaml specs): q4 is reverse-keyed.
items <- c("q1", "q2", "q3", "q4")
reversed <- "q4"

# Writes d as a CSV wai reads and reads it back, so that R computes from exactly that file.
write_reread <- function(d, file) {
  write.csv(d, file, row.names = FALSE, na = "")
  read.csv(file)
}

write_reference <- function(result, file)
  writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, pretty = TRUE), file)

# Adds each item's score v_s (0 to 1 as wai scores it); with oa_parts, v_y (the score, 0 when
# unanswered) and v_x (answered) for linearized_oa; with ranks, v_t (the answer as it is scored,
# for the group tests).
add_scores <- function(d, oa_parts = FALSE, ranks = FALSE) {
  for (v in items) d[[paste0(v, "_s")]] <- if (v %in% reversed) (5 - d[[v]]) / 4 else (d[[v]] - 1) / 4
  if (oa_parts) for (v in items) {
    d[[paste0(v, "_y")]] <- ifelse(is.na(d[[v]]), 0, d[[paste0(v, "_s")]])
    d[[paste0(v, "_x")]] <- as.numeric(!is.na(d[[v]]))
  }
  if (ranks) for (v in items) d[[paste0(v, "_t")]] <- if (v %in% reversed) 6 - d[[v]] else d[[v]]
  d
}

# svymean of every item's score, overall (with its deff if item_deff) and by sex (with deff if
# group_deff), and the OA from oa(des, items).
wai_estimates <- function(des, oa, item_deff = TRUE, group_deff = FALSE) {
  out <- list(items = list(), groups = list(), oa = list())
  for (v in items) {
    f <- as.formula(paste0("~", v, "_s"))
    m <- svymean(f, des, na.rm = TRUE, deff = item_deff)
    out$items[[v]] <- list(wai = unname(coef(m)), se = unname(SE(m)[1]))
    if (item_deff) out$items[[v]]$deff <- unname(deff(m)[1])
    b <- svyby(f, ~sex, des, svymean, na.rm = TRUE, deff = group_deff)
    for (i in seq_len(nrow(b))) {
      group <- list(wai = unname(coef(b)[i]), se = unname(SE(b)[i]))
      if (group_deff) group$deff <- unname(deff(b)[i])
      out$groups[[as.character(b$sex[i])]][[v]] <- group
    }
  }
  out$oa <- oa(des, items)
  out
}

# The OA (mean of the items' indices) by linearization, as svycontrast() of the svytotal()s of y
# (the score, 0 when unanswered) and x (answered): overall and in each group of `by`.
linearized_oa <- function(des, items, by = "sex", groups = c("F", "M")) {
  contrast <- str2lang(paste0("(", paste0(items, "_y / ", items, "_x", collapse = " + "), ") / ", length(items)))
  oa <- function(design) {
    t <- svytotal(as.formula(paste("~", paste(c(paste0(items, "_y"), paste0(items, "_x")), collapse = "+"))), design)
    e <- svycontrast(t, contrast)
    list(wai = unname(coef(e)), se = unname(SE(e)))
  }
  out <- list(all = oa(des))
  for (g in groups) {
    keep <- des$variables[[by]] == g
    out[[g]] <- oa(subset(des, keep))
  }
  out
}

# An item's index under weights w: the weighted mean of its score over the answered rows.
score_index <- function(w, data, v) { ok <- !is.na(data[[v]]); sum(w[ok] * data[[paste0(v, "_s")]][ok]) / sum(w[ok]) }

# The OA of a replicate design, recomputed with every replicate's weights (withReplicates), from
# `index(w, data, v)`, an item's index under weights w: overall and in each group of `by`.
replicate_oa <- function(des, items, index = score_index, by = "sex", groups = c("F", "M")) {
  oa <- function(w, data) mean(sapply(items, function(v) index(w, data, v)))
  all <- withReplicates(des, oa)
  out <- list(all = list(wai = unname(coef(all)), se = unname(SE(all))))
  for (g in groups) {
    group <- withReplicates(des, function(w, data) oa(w * (data[[by]] == g), data))
    out[[g]] <- list(wai = unname(coef(group)), se = unname(SE(group)))
  }
  out
}

# The entries of an svyranktest of two groups (its t) and of an svychisq (statistic "F").
two_group_rank <- function(r) list(t = unname(r$statistic), df = unname(r$parameter), p = r$p.value, estimate = unname(r$estimate))
chisq_entry <- function(x) list(f = unname(x$statistic), ndf = unname(x$parameter[1]), ddf = unname(x$parameter[2]), p = unname(x$p.value))

# svyranktest and svychisq (statistic "F") of every item (column item + suffix) by each of
# `by`: the t of two groups, or the χ² with its F of more.
group_tests <- function(des, items, by, suffix = "") {
  out <- list()
  for (g in by) for (v in items) {
    y <- paste0(v, suffix)
    r <- svyranktest(as.formula(paste(y, "~", g)), des)
    two <- length(levels(factor(des$variables[[g]]))) == 2
    rank <- if (two) two_group_rank(r)
            else list(chisq = unname(r$parameter[1]), ndf = unname(r$statistic), ddf = unname(r$ddf), p = as.numeric(r$p.value))
    x <- svychisq(as.formula(paste("~", y, "+", g)), des, statistic = "F")
    out[[g]][[v]] <- list(rank = rank, chisq = chisq_entry(x))
  }
  out
}
