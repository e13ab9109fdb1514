"""TalentMatch matching engine: round documents, compatibility, CP-SAT solving, verification.

Depends on OR-Tools and the standard library only, so that it installs without the service.
"""

from talentmatch.matching.io import (
    DocumentError,
    load_round,
    load_solution,
    round_from_dict,
    round_to_dict,
    solution_from_dict,
    solution_to_dict,
    write_solution,
)
from talentmatch.matching.model import Round, Solution, Status
from talentmatch.matching.solve import SolveParams, solve
from talentmatch.matching.verify import Violation, verify

__all__ = [
    "DocumentError",
    "Round",
    "Solution",
    "SolveParams",
    "Status",
    "Violation",
    "load_round",
    "load_solution",
    "round_from_dict",
    "round_to_dict",
    "solution_from_dict",
    "solution_to_dict",
    "solve",
    "verify",
    "write_solution",
]
