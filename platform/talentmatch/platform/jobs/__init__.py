"""Solve runners: what takes a QUEUED run, solves its round document and stores the result."""

from talentmatch.platform.jobs.embedded import EmbeddedRunner
from talentmatch.platform.jobs.runner import SolveRunner, execute_run
from talentmatch.platform.jobs.solving import solve_document

__all__ = ["EmbeddedRunner", "SolveRunner", "execute_run", "solve_document"]
