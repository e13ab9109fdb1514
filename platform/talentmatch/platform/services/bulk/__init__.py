"""Bulk files: cohorts and intern requests posted from CSV or XLSX spreadsheets, their
templates, and a published run's placements as XLSX."""

from talentmatch.platform.services.bulk.columns import (
    BULK_KINDS,
    COHORT_FILE,
    REQUEST_FILE,
    BulkKind,
    Column,
)
from talentmatch.platform.services.bulk.placements import PLACEMENT_HEADERS, placements_xlsx
from talentmatch.platform.services.bulk.tables import (
    MAX_BYTES,
    MAX_ROWS,
    BulkInvalid,
    RowProblem,
)
from talentmatch.platform.services.bulk.templates import HELP_SHEET, template_csv, template_xlsx
from talentmatch.platform.services.bulk.upload import post_file

__all__ = [
    "BULK_KINDS",
    "COHORT_FILE",
    "HELP_SHEET",
    "MAX_BYTES",
    "MAX_ROWS",
    "PLACEMENT_HEADERS",
    "REQUEST_FILE",
    "BulkInvalid",
    "BulkKind",
    "Column",
    "RowProblem",
    "placements_xlsx",
    "post_file",
    "template_csv",
    "template_xlsx",
]
