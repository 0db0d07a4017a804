# Bootstrap confidence interval for the mean
set.seed(224)
x <- rnorm(82, mean = 2, sd = 1.5)
boot <- replicate(1000, mean(sample(x, replace = TRUE)))
quantile(boot, c(0.025, 0.975))
fit <- lm(x ~ seq_along(x))
summary(fit)
