"""The enumerations the database stores; the GraphQL layer exposes the same members."""

from __future__ import annotations

from enum import StrEnum


class OrganizationKind(StrEnum):
    GOVERNMENT = "GOVERNMENT"
    SCHOOL = "SCHOOL"
    ASSOCIATION = "ASSOCIATION"
    ENTERPRISE = "ENTERPRISE"
    TRAINING_PROVIDER = "TRAINING_PROVIDER"


class RoundStatus(StrEnum):
    OPEN = "OPEN"  # parties post, update and withdraw entries
    CLOSED = "CLOSED"  # entries are frozen; the association runs matching
    PUBLISHED = "PUBLISHED"  # one run is published; parties respond to their placements


class EntryStatus(StrEnum):
    """Of a cohort, training program, intern request or subsidy program in a round."""

    ACTIVE = "ACTIVE"
    WITHDRAWN = "WITHDRAWN"  # kept for the record, left out of round documents


class RunStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"  # by the association; a solve still going on is discarded


class PlacementResponse(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
