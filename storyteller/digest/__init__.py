"""`storyteller digest`: a period's key figures and top wins as a message, for where
executives read: GitHub-flavoured Markdown (markdown.py), a Slack Block Kit message
(slack.py) or an e-mail (mail.py).

Every digest is made from the one-page brief's record (report/brief.py), itself made from
the report's context, so a digest shows the report's own figures and names the report's
file. Nothing here sends anything: what happens to the message is the user's business.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storyteller.build import BuildRequest, cache_folder, file_name, undrawn_contexts
from storyteller.figures.periods import Quarter
from storyteller.format.load import Workspace
from storyteller.report.brief import Brief, brief

FORMATS = ("markdown", "slack", "email")


@dataclass(frozen=True)
class DigestRequest:
    format: str
    quarter: Quarter | None = None
    year: int | None = None
    today: dt.date = dt.date(2000, 1, 1)
    now: dt.datetime = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # the e-mail's Date
    sender: str = ""  # the e-mail's From, or "" for storyteller's own
    to: tuple[str, ...] = ()  # the e-mail's To


def digest_brief(workspace: Workspace, request: DigestRequest) -> Brief:
    """The brief record of the one period the request names (default: the latest quarter)."""
    build_request = BuildRequest(quarter=request.quarter, year=request.year, today=request.today)
    (context,) = undrawn_contexts(workspace, build_request)
    return brief(context, file_name(workspace, context.period, "pdf"))


def digest(workspace: Workspace, request: DigestRequest) -> bytes:
    """The digest in the requested format, as the bytes to print or write."""
    item = digest_brief(workspace, request)
    if request.format == "markdown":
        from storyteller.digest.markdown import to_markdown

        return to_markdown(item).encode("utf-8")
    if request.format == "slack":
        from storyteller.digest.slack import to_slack

        return to_slack(item).encode("utf-8")
    from storyteller.digest.mail import to_email
    from storyteller.report.render import environment

    config = workspace.config
    return to_email(
        item,
        environment(config.root / "templates"),
        cache_folder(config) / "charts",
        request.now,
        request.sender,
        request.to,
    )
