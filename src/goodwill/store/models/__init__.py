"""The store's tables as SQLAlchemy 2.0 typed declarative models."""

from __future__ import annotations

from goodwill.store.models.agents import Agent, CaseOwner, CreditExport, CreditExportItem
from goodwill.store.models.base import Base, UTCDateTime
from goodwill.store.models.budgets import Budget, BudgetSpend
from goodwill.store.models.care import Action, Contact, Moment, MomentStatus, Run, RunStatus
from goodwill.store.models.experiments import Assignment, Experiment
from goodwill.store.models.login_attempts import LoginAttempt
from goodwill.store.models.outbox import Message, MessageStatus
from goodwill.store.models.web import (
    Gesture,
    GestureStatus,
    Job,
    JobStatus,
    LoginToken,
    PlanChangeRequest,
    Promise,
    SimBlock,
    StaffRole,
    StaffUser,
)
from goodwill.store.models.web_sessions import WebSession

__all__ = [
    "Action",
    "Agent",
    "Assignment",
    "Base",
    "Budget",
    "BudgetSpend",
    "CaseOwner",
    "Contact",
    "CreditExport",
    "CreditExportItem",
    "Experiment",
    "Gesture",
    "GestureStatus",
    "Job",
    "JobStatus",
    "LoginAttempt",
    "LoginToken",
    "Message",
    "MessageStatus",
    "Moment",
    "MomentStatus",
    "PlanChangeRequest",
    "Promise",
    "Run",
    "RunStatus",
    "SimBlock",
    "StaffRole",
    "StaffUser",
    "UTCDateTime",
    "WebSession",
]
