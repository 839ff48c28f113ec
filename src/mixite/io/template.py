"""Templates to fill in Excel, one per import kind (the allocation form among them):
a sheet with one column per field, drop-down lists and checks, the allowed values and a
help sheet; optionally example rows. Every template imports back as it is."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from mixite.core.schema import Table


def write_template(
    table: Table,
    path: Path,
    *,
    rows: int = 500,
    example: pd.DataFrame | None = None,
    synthetic_flag: bool = False,
) -> Path:
    """Write the template of ``table``: a « Fiche » sheet with one column per field,
    drop-down lists and number checks on ``rows`` rows (and the ``example`` rows filled
    in, dates as dates and numbers as numbers), a « Listes » sheet with the allowed values
    and an « Aide » sheet describing every column and its rule."""
    book = Workbook()
    sheet = book.create_sheet("Fiche", 0)
    for extra in book.sheetnames[1:]:
        del book[extra]
    lists = book.create_sheet("Listes")
    help_sheet = book.create_sheet("Aide")
    help_sheet.append(["colonne", "signification", "unité", "règle"])
    # The synthetic flag is the twin's: left out of a template to fill, kept in an
    # export (``synthetic_flag``) so that synthetic rows stay marked.
    columns = [
        c
        for c in table.columns
        if (synthetic_flag or c.name != "synthetique") and c.kind != "geometry"
    ]
    list_col = 0
    last = rows + 1
    for j, c in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=j, value=c.name)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(j)].width = max(14, len(c.name) + 2)
        help_sheet.append([c.name, c.description, c.unit, c.rule_text()])
        target = f"{get_column_letter(j)}2:{get_column_letter(j)}{last}"
        validation: DataValidation | None = None
        if c.choices or c.kind == "boolean":
            values = list(c.choices) if c.choices else ["oui", "non"]
            list_col += 1
            letter = get_column_letter(list_col)
            lists.cell(row=1, column=list_col, value=c.name).font = Font(bold=True)
            for i, v in enumerate(values, start=2):
                lists.cell(row=i, column=list_col, value=v)
            ref = f"Listes!${letter}$2:${letter}${len(values) + 1}"
            validation = DataValidation(type="list", formula1=ref, allow_blank=not c.required)
        elif c.kind in ("integer", "decimal", "money"):
            kind = "whole" if c.kind == "integer" else "decimal"
            low = c.minimum if c.minimum is not None else -1e12
            high = c.maximum if c.maximum is not None else 1e12
            validation = DataValidation(
                type=kind,
                operator="between",
                formula1=str(low),
                formula2=str(high),
                allow_blank=not c.required,
            )
        elif c.kind == "date":
            validation = DataValidation(
                type="date", operator="greaterThan", formula1="36526", allow_blank=not c.required
            )
        if validation is not None:
            validation.error = f"« {c.name} » : {c.rule_text()}"
            validation.errorTitle = "Valeur refusée"
            validation.showErrorMessage = True
            sheet.add_data_validation(validation)
            validation.add(target)
    if example is not None:
        for i, record in enumerate(example.to_dict("records"), start=2):
            for j, c in enumerate(columns, start=1):
                sheet.cell(row=i, column=j, value=_cell_value(record.get(c.name), c.kind))
    sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _cell_value(value: object, kind: str) -> object:
    """A value as Excel should hold it: dates as dates, cents as euros, booleans as oui/non."""
    if (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and value != value)
    ):
        return None
    if kind == "money":
        return round(int(value) / 100, 2)  # type: ignore[call-overload]
    if kind == "boolean":
        return "oui" if bool(value) else "non"
    if kind == "date":
        return pd.Timestamp(value).to_pydatetime()  # type: ignore[arg-type]
    if hasattr(value, "item"):
        return value.item()
    return value
