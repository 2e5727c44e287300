"""Jira Cloud REST v3 client (Django-free)."""

from integrations.jira.client import JiraClient, issues_jql
from integrations.jira.records import JiraIssueRecord, parse_issue, parse_jira_datetime

__all__ = ["JiraClient", "JiraIssueRecord", "issues_jql", "parse_issue", "parse_jira_datetime"]
