"""Calibration: priors, calibration files, ABC-SMC, its folder, figures, report, posterior."""
