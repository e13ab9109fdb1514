"""Matching runs over GraphQL: run, publish, answer, re-match, and follow a run's progress."""

from talentmatch.platform.graphql.runs.mutations import RunMutations
from talentmatch.platform.graphql.runs.subscriptions import RunSubscriptions
from talentmatch.platform.graphql.runs.types import PlacementNode, RunNode

__all__ = ["PlacementNode", "RunMutations", "RunNode", "RunSubscriptions"]
