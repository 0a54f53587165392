# Shared by the make_*_reference.R scripts of this folder, which source() it (run them from this
# directory): the OA and the design-based group tests, as each reference computes them with R's
# survey package.

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

# The OA of a replicate design, recomputed with every replicate's weights (withReplicates), from
# `index(w, data, v)`, an item's index under weights w: overall and in each group of `by`.
replicate_oa <- function(des, items, index, by = "sex", groups = c("F", "M")) {
  oa <- function(w, data) mean(sapply(items, function(v) index(w, data, v)))
  all <- withReplicates(des, oa)
  out <- list(all = list(wai = unname(coef(all)), se = unname(SE(all))))
  for (g in groups) {
    group <- withReplicates(des, function(w, data) oa(w * (data[[by]] == g), data))
    out[[g]] <- list(wai = unname(coef(group)), se = unname(SE(group)))
  }
  out
}

# svyranktest and svychisq (statistic "F") of every item (column item + suffix) by each of
# `by`: the t of two groups, or the χ² with its F of more.
group_tests <- function(des, items, by, suffix = "") {
  out <- list()
  for (g in by) for (v in items) {
    y <- paste0(v, suffix)
    r <- svyranktest(as.formula(paste(y, "~", g)), des)
    two <- length(levels(factor(des$variables[[g]]))) == 2
    rank <- if (two) list(t = unname(r$statistic), df = unname(r$parameter), p = r$p.value, estimate = unname(r$estimate))
            else list(chisq = unname(r$parameter[1]), ndf = unname(r$statistic), ddf = unname(r$ddf), p = as.numeric(r$p.value))
    x <- svychisq(as.formula(paste("~", y, "+", g)), des, statistic = "F")
    out[[g]][[v]] <- list(rank = rank, chisq = list(f = unname(x$statistic), ndf = unname(x$parameter[1]),
                                                    ddf = unname(x$parameter[2]), p = unname(x$p.value)))
  }
  out
}
