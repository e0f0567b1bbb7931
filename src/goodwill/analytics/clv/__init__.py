"""Customer lifetime value: sBG, BG/NBD and Gamma-Gamma fitted by maximum likelihood."""

from __future__ import annotations

from goodwill.analytics.clv.bgnbd import BetaGeoFitter, bgnbd_log_likelihood
from goodwill.analytics.clv.gamma_gamma import GammaGammaFitter, gamma_gamma_log_likelihood
from goodwill.analytics.clv.sbg import ShiftedBetaGeometricFitter
from goodwill.analytics.clv.simulate import simulate_bgnbd, simulate_gamma_gamma

__all__ = [
    "BetaGeoFitter",
    "GammaGammaFitter",
    "ShiftedBetaGeometricFitter",
    "bgnbd_log_likelihood",
    "gamma_gamma_log_likelihood",
    "simulate_bgnbd",
    "simulate_gamma_gamma",
]
