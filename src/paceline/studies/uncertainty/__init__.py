"""Uncertainty and scale: the Monte Carlo's inputs and problem, its two models, sweeps and where the work runs."""
