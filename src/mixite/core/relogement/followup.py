"""The follow-up list of fragile households, for the local follow-up group."""

from __future__ import annotations

import pandas as pd

from mixite.core.acces import AccesRefuse, Perimetre

COLUMNS: tuple[str, ...] = (
    "id_relogement",
    "id_menage",
    "code_operation",
    "code_bailleur",
    "apres_code_bailleur",
    "statut",
    "nb_personnes",
    "taux_effort_avant",
    "taux_effort_apres",
    "rav_avant",
    "rav_apres",
    "variation_rav",
    "motif",
)


def visible_to(figures: pd.DataFrame, viewer: Perimetre) -> pd.DataFrame:
    """The households a viewer may see one by one: its landlord's, or its operation's.

    Raises :class:`AccesRefuse` for EPCI, commune and State viewers, who see aggregates.
    """
    if viewer.role == "bailleur":
        mine = (figures["code_bailleur"] == viewer.code) | (
            figures["apres_code_bailleur"] == viewer.code
        )
        return figures[mine.fillna(False).to_numpy(dtype=bool)]
    if viewer.role == "operation":
        return figures[(figures["code_operation"] == viewer.code).to_numpy(dtype=bool)]
    raise AccesRefuse(
        "La liste nominative des ménages relogés est réservée au bailleur du ménage et à "
        f"l'équipe de l'opération ; le périmètre « {viewer.role} {viewer.code} » voit les "
        "tableaux agrégés (mixite relogement tableau-de-bord)."
    )


def follow_up_list(figures: pd.DataFrame, viewer: Perimetre) -> pd.DataFrame:
    """Fragile households and households whose reste à vivre fell, with the reason.

    Only the rows the viewer may see (:func:`visible_to`).
    """
    seen = visible_to(figures, viewer)
    fragile = seen["fragile"].to_numpy(dtype=bool)
    falling = seen["rav_en_baisse"].to_numpy(dtype=bool)
    out = seen[fragile | falling].copy()
    reasons = []
    for is_fragile, is_falling in zip(
        fragile[fragile | falling], falling[fragile | falling], strict=True
    ):
        parts = []
        if is_fragile:
            parts.append("reste à vivre sous le seuil")
        if is_falling:
            parts.append("reste à vivre en baisse")
        reasons.append(" ; ".join(parts))
    out["motif"] = reasons
    listing: pd.DataFrame = out[list(COLUMNS)].sort_values(["code_operation", "id_relogement"])
    return listing.reset_index(drop=True)
