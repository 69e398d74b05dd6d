# Stan's own NUTS on posteriordb's eight_schools_noncentered, with Stan's defaults apart from adapt_delta:
# 4 chains × (1000 warmup + 1000 draws) per seed, divergences after warmup counted per seed.
# `R_LIBS_USER=/tmp/rlib Rscript eval/posteriordb/stan/eight_schools.R 0.8,0.9,0.95 10` from the repository
# root (rstan setup: ../shared/peers/stan/README.md). Prints one line per (adapt_delta, seed).
suppressMessages(library(rstan))
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
m <- stan_model(file.path(here, "eight_schools_noncentered.stan"))
d <- list(J = 8, y = c(28, 8, -3, 7, -1, 1, 18, 12), sigma = c(15, 10, 16, 11, 9, 11, 10, 18))
args <- commandArgs(TRUE)
for (delta in as.numeric(strsplit(args[1], ",")[[1]])) {
  for (seed in 1:as.integer(args[2])) {
    f <- sampling(m, data = d, chains = 4, cores = 1, seed = seed, iter = 2000, warmup = 1000,
                  control = list(adapt_delta = delta), refresh = 0)
    sp <- get_sampler_params(f, inc_warmup = FALSE)
    div <- sum(sapply(sp, function(x) sum(x[, "divergent__"])))
    eps <- sapply(sp, function(x) x[1, "stepsize__"])
    rh <- max(summary(f)$summary[, "Rhat"], na.rm = TRUE)
    cat(sprintf("delta %.2f seed %d divergences %d stepsizes %s rhat %.4f\n", delta, seed, div,
                paste(sprintf("%.3f", eps), collapse = ","), rh))
  }
}
