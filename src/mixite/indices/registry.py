"""The registry of indices: each with its function, bounds and declared properties.

The registry feeds :func:`mixite.indices.segregation_indices`, the CLI, the docs and a
common test that checks every member for its declared properties.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal

from mixite.indices import multigroup, ordinal, singlegroup
from mixite.indices._regions import FloatArray, Regions

SingleFn = Callable[[FloatArray, FloatArray, Regions], FloatArray]
MultiFn = Callable[[FloatArray, Regions], FloatArray]


@dataclass(frozen=True)
class IndexSpec:
    """One index: how to compute it and what holds for it.

    ``even_is_zero``: 0 when every unit has the region's composition; ``full_is_one``:
    1 when every unit holds a single group; ``symmetric``: unchanged when the group and
    the rest swap (single-group indices only).
    """

    name: str
    family: Literal["single", "multi", "ordinal"]
    title: str
    formula: str
    reference: str
    compute: SingleFn | MultiFn
    lower: float = 0.0
    upper: float = 1.0
    symmetric: bool = False
    even_is_zero: bool = True
    full_is_one: bool = True
    #: Depends on random draws (seeded): checked for invariance in distribution only.
    stochastic: bool = False
    #: Computed only when named (costlier, or a correction rather than an index).
    on_request: bool = False


def _single(
    name: str, fn: SingleFn, title: str, formula: str, reference: str, **kw: object
) -> IndexSpec:
    return IndexSpec(name, "single", title, formula, reference, fn, **kw)  # type: ignore[arg-type]


def _multi(
    name: str, fn: MultiFn, title: str, formula: str, reference: str, **kw: object
) -> IndexSpec:
    return IndexSpec(name, "multi", title, formula, reference, fn, **kw)  # type: ignore[arg-type]


def _ordinal(
    name: str, fn: MultiFn, title: str, formula: str, reference: str, **kw: object
) -> IndexSpec:
    return IndexSpec(name, "ordinal", title, formula, reference, fn, **kw)  # type: ignore[arg-type]


MASSEY = "Massey & Denton (1988), Social Forces 67(2)"
REARDON = "Reardon & Firebaugh (2002), Sociological Methodology 32"
ORDINAL = "Reardon (2009), Research on Economic Inequality 17"
ALLEN = "Allen, Burgess, Davidson & Windmeijer (2015), The Econometrics Journal 18(1)"

INDICES: dict[str, IndexSpec] = {
    spec.name: spec
    for spec in (
        _single("dissimilarity", singlegroup.dissimilarity, "indice de dissimilarité", "D = ½ Σ |x_i/X − (t_i−x_i)/(T−X)|", "Duncan & Duncan (1955), ASR 20(2)", symmetric=True),
        _single("gini", singlegroup.gini, "indice de Gini", "G = Σ_i Σ_j t_i t_j |p_i − p_j| / (2 T² P (1−P))", MASSEY, symmetric=True),
        _single("entropy", singlegroup.entropy, "indice d'entropie (H de Theil)", "H = Σ t_i (E − E_i) / (E T)", "Theil (1972)", symmetric=True),
        _single("isolation", singlegroup.isolation, "indice d'isolement", "xPx = Σ (x_i/X)(x_i/t_i)", MASSEY, even_is_zero=False),
        _single("exposure", singlegroup.exposure, "indice d'exposition (interaction)", "xPy = Σ (x_i/X)((t_i−x_i)/t_i)", MASSEY, even_is_zero=False, full_is_one=False),
        _single("correlation_ratio", singlegroup.correlation_ratio, "rapport de corrélation", "V = (xPx − P) / (1 − P)", "Bell (1954)", symmetric=True),
        *(
            _single(f"atkinson_{b}", partial(singlegroup.atkinson, b=b), f"indice d'Atkinson (b = {b})", f"A = 1 − P/(1−P) |Σ (1−p_i)^(1−b) p_i^b t_i / (P T)|^(1/(1−b)), b = {b}", "Atkinson (1970) ; James & Taeuber (1985)", symmetric=(b == 0.5))
            for b in (0.1, 0.5, 0.9)
        ),
        _single("bias_corrected_dissimilarity", singlegroup.bias_corrected_dissimilarity, "dissimilarité corrigée du biais (bootstrap)", "D_bc = 2 D − E[D_b], E[D_b] exact sous le rééchantillonnage multinomial (lois binomiales)", ALLEN, lower=float("-inf"), even_is_zero=False, full_is_one=False, on_request=True),
        _single("density_corrected_dissimilarity", singlegroup.density_corrected_dissimilarity, "dissimilarité corrigée de la densité", "D_dc = ½ Σ_j σ_j θ*_j, θ*_j mode de la normale repliée en θ̂_j", ALLEN, even_is_zero=False, full_is_one=False),
        _multi("multi_dissimilarity", multigroup.multi_dissimilarity, "dissimilarité multigroupe", "D = Σ_k Σ_i t_i |π_ik − π_k| / (2 T I)", REARDON),
        _multi("multi_gini", multigroup.multi_gini, "Gini multigroupe", "G = Σ_k Σ_i Σ_j t_i t_j |π_ik − π_jk| / (2 T² I)", REARDON),
        _multi("multi_normalized_exposure", multigroup.multi_normalized_exposure, "exposition normalisée", "P = Σ_k Σ_i (t_i/T)(π_ik − π_k)² / (1 − π_k)", REARDON),
        _multi("multi_information_theory", multigroup.multi_information_theory, "indice d'information (H de Theil)", "H = Σ_i t_i (E − E_i) / (E T)", REARDON),
        _multi("mutual_information", multigroup.mutual_information, "information mutuelle M (la « divergence » de PySAL)", "M = Σ_i (t_i/T) Σ_k π_ik ln(π_ik/π_k)", "Mora & Ruiz-Castillo (2011), Sociological Methodology 41", upper=float("inf"), full_is_one=False),
        _multi("multi_relative_diversity", multigroup.multi_relative_diversity, "diversité relative", "R = Σ_k Σ_i t_i (π_ik − π_k)² / (T I)", "Carlson (1992) ; " + REARDON),
        _ordinal("ordinal_information", ordinal.ordinal_information, "indice ordinal d'information", "Λ = 1 − Σ t_i v_i / (T v), v = Σ_k E(c_k)/(K−1)", ORDINAL),
        _ordinal("ordinal_variation", ordinal.ordinal_variation, "indice de variation ordinale", "Λ = 1 − Σ t_i v_i / (T v), v = Σ_k 4 c_k (1−c_k)/(K−1)", ORDINAL),
        _ordinal("rank_order_information", ordinal.rank_order_information, "indice d'information des rangs H^R", "H^R = 2 ln 2 ∫ E(p) H(p) dp, H(p) ajusté aux seuils", "Reardon, Firebaugh, O'Sullivan & Matthews (2006) ; Reardon & Bischoff (2011)", lower=float("-inf"), upper=float("inf")),
        _multi("simpson_interaction", multigroup.simpson_interaction, "interaction de Simpson", "I = Σ_k π_k (1 − π_k)", "Simpson (1949), Nature 163 ; " + REARDON, even_is_zero=False, full_is_one=False),
        _multi("simpson_concentration", multigroup.simpson_concentration, "concentration de Simpson", "λ = Σ_k π_k²", "Simpson (1949), Nature 163", even_is_zero=False, full_is_one=False),
        _multi("multi_diversity", multigroup.multi_diversity, "diversité (entropie de la composition)", "E = −Σ_k π_k ln π_k", "Theil (1972) ; " + REARDON, upper=float("inf"), even_is_zero=False, full_is_one=False),
        _multi("multi_normalized_diversity", multigroup.multi_normalized_diversity, "diversité normalisée", "E / ln K (K groupes présents)", "Theil (1972) ; " + REARDON, even_is_zero=False, full_is_one=False),
        _multi("multi_squared_coefficient_of_variation", multigroup.multi_squared_coefficient_of_variation, "carré du coefficient de variation", "C = Σ_k Σ_i t_i (π_ik − π_k)² / ((K−1) T π_k)", REARDON, full_is_one=False),
    )
}  # fmt: skip
