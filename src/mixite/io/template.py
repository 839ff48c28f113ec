"""The allocation-form template (« fiche attribution ») as an Excel workbook."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from mixite.core.model import ATTRIBUTIONS


def write_allocation_template(path: Path, *, rows: int = 500) -> Path:
    """Write the fiche-attribution template: a « Fiche » sheet with one column per field,
    drop-down lists and number checks on ``rows`` rows, a « Listes » sheet with the allowed
    values and an « Aide » sheet describing every column and its rule."""
    book = Workbook()
    sheet = book.create_sheet("Fiche", 0)
    for extra in book.sheetnames[1:]:
        del book[extra]
    lists = book.create_sheet("Listes")
    help_sheet = book.create_sheet("Aide")
    help_sheet.append(["colonne", "signification", "unité", "règle"])
    columns = [c for c in ATTRIBUTIONS.columns if c.name != "synthetique"]
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
    sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
