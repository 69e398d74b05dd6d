# The sampling benchmark's peer: Stan's NUTS (rstan) on bnn.stan with the benchmark's data and protocol,
# printing one JSON line with the same fields as bench/sampling.ts. Run by bench/stan-run.mjs.
# Usage: Rscript stan_bnn.R TRAIN_CSV TEST_CSV STAN_FILE WARMUP DRAWS CHAINS CORES SEED
suppressMessages(library(rstan))
a <- commandArgs(trailingOnly = TRUE)
warm <- as.integer(a[4]); samp <- as.integer(a[5]); chains <- as.integer(a[6]); cores <- as.integer(a[7]); seed <- as.integer(a[8])
rstan_options(auto_write = FALSE)
tr <- read.csv(a[1]); te <- read.csv(a[2])
xcols <- grep("^x", names(tr))
X <- as.matrix(tr[, xcols]); Xt <- as.matrix(te[, xcols])
data <- list(N = nrow(X), D = ncol(X), H = 50L, X = X, y = tr$y, sigma = 0.5, N_test = nrow(Xt), X_test = Xt)
t_compile <- system.time(sm <- stan_model(a[3], model_name = "bnn"))[["elapsed"]]
t_sample <- system.time(fit <- sampling(sm, data = data, chains = chains, cores = cores, iter = warm + samp,
                                        warmup = warm, seed = seed, refresh = 0))[["elapsed"]]
sp_all <- get_sampler_params(fit, inc_warmup = TRUE)
sp <- get_sampler_params(fit, inc_warmup = FALSE)
nleap_all <- sum(sapply(sp_all, function(s) sum(s[, "n_leapfrog__"])))
nleap_samp <- sum(sapply(sp, function(s) sum(s[, "n_leapfrog__"])))
el <- get_elapsed_time(fit)
arr <- as.array(fit)
mon <- monitor(arr, warmup = 0, print = FALSE)
pn <- dimnames(arr)[[3]]
pred <- grepl("^f_test", pn)
par <- !(pred | pn == "lp__")
# Gradients per second per chain: every leapfrog step over the chains' summed elapsed times (each chain on
# one core), as the benchmark counts its own chains.
cat(sprintf(paste0('{"stan":{"grad_evals_per_s_per_chain":%.1f,"pred_ess_min":%.1f,"wall_s":%.2f,"pred_ess_per_s":%.4f,',
                   '"rhat_max":%.4f,"rhat_max_params":%.4f,"divergences":%d,"mean_leapfrog_per_draw":%.2f,"step_size":[%s],',
                   '"compile_s":%.1f,"chains":%d,"cores":%d,"warmup":%d,"draws":%d,"seed":%d}}\n'),
            nleap_all / sum(el), min(mon[pred, "Bulk_ESS"]), t_sample, min(mon[pred, "Bulk_ESS"]) / t_sample,
            max(mon[pred, "Rhat"]), max(mon[par, "Rhat"]), sum(sapply(sp, function(s) sum(s[, "divergent__"]))),
            nleap_samp / (chains * samp), paste(sprintf("%.5f", sapply(sp, function(s) s[1, "stepsize__"])), collapse = ","),
            t_compile, chains, cores, warm, samp, seed))
