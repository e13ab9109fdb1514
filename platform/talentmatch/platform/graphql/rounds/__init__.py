"""Matching rounds and their entries in GraphQL."""

from talentmatch.platform.graphql.rounds.mutations import RoundMutations
from talentmatch.platform.graphql.rounds.queries import RoundQueries
from talentmatch.platform.graphql.rounds.types import (
    CohortNode,
    InternRequestNode,
    RoundNode,
    SubsidyNode,
    TrainingProgramNode,
)

__all__ = [
    "CohortNode",
    "InternRequestNode",
    "RoundMutations",
    "RoundNode",
    "RoundQueries",
    "SubsidyNode",
    "TrainingProgramNode",
]
