"""Inference from splits: the Bayesian model of a race's split times and its sampler."""
