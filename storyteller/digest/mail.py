"""The digest as an e-mail: a standards-compliant .eml (RFC 5322, MIME) to open in a mail
client, forward or hand to `sendmail -t`.

Its shape is the one mail clients show best: multipart/related holding a
multipart/alternative (text/plain, then text/html) and the charts as image/png parts, which
the HTML shows by ``cid:``. Mail clients show no SVG and drop <style> blocks, so the charts
are converted to PNG (charts.to_png) and the template's CSS is inlined into style attributes
by css-inline. The same brief and SOURCE_DATE_EPOCH give the same bytes: the Date is the
build's clock, and the Message-ID and the MIME boundaries are made from the content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from jinja2 import Environment, TemplateError

from storyteller import __version__
from storyteller.errors import UsageError
from storyteller.report import charts
from storyteller.report.brief import Brief
from storyteller.report.render import TemplateProblem

SENDER = Address("storyteller", "storyteller", "localhost")  # when --from is not given
DOMAIN = "storyteller.invalid"  # the Message-ID's right part: a name that is no one's (RFC 2606)


def plain_text(item: Brief) -> str:
    """The text/plain alternative: everything the HTML says, in plain lines."""
    lines = [f"{item.organization}: {item.period_label} at a glance", f"{item.title}, {item.period_dates}", ""]
    for card in item.cards:
        trend = f", {card.trend}" if card.trend else ""
        note = f" ({card.note})" if card.note else ""
        lines.append(f"{card.label}: {card.value}{trend}{note}")
    realised = item.realised
    lines += ["", f"{realised.label}: {realised.value}" + (f" ({realised.note})" if realised.note else "") + "."]
    lines.append("The key figures are yearly run-rates.")
    if item.other_currency:
        lines.append(f"Also saved in other currencies, not converted: {item.other_currency} a year.")
    lines += ["", "Top wins:"]
    lines += [f"{n}. {w.sentence}" for n, w in enumerate(item.wins, start=1)] or [
        f"No delivered story of {item.period_label} saves time or money yet."
    ]
    if item.beyond:
        lines += ["", "Beyond hours:", *(f"- {b.sentence}" for b in item.beyond)]
    lines += ["", f"The full report, with every story and the formula behind each figure: {item.report_file}"]
    return "\n".join(" ".join(line.split()) for line in lines) + "\n"


def html_part(env: Environment, item: Brief, cids: list[tuple[str, charts.Chart]]) -> str:
    """The text/html alternative, its CSS inlined (css-inline; nothing remote is loaded)."""
    import css_inline

    try:
        html = env.get_template("digest-email.html").render(brief=item, charts=cids, version=__version__)
    except TemplateError as error:
        raise TemplateProblem(f"e-mail template error: {error.message}") from error
    return str(css_inline.inline(html, keep_at_rules=True, load_remote_stylesheets=False))


def _address(text: str, option: str) -> Address:
    """An address given on the command line, or a clear error."""
    from email.headerregistry import HeaderRegistry

    try:
        header = HeaderRegistry()("to", text)
        found: tuple[Address, ...] = tuple(header.addresses)  # type: ignore[attr-defined]
    except (ValueError, IndexError, TypeError):
        found = ()
    if len(found) != 1 or not found[0].username or not found[0].domain or header.defects:
        raise UsageError(f"{option} {text!r} is not an e-mail address; write it like ops@example.com")
    return found[0]


def to_email(
    item: Brief,
    env: Environment,
    chart_cache: Path | None,
    now: dt.datetime,
    sender: str = "",
    to: tuple[str, ...] = (),
) -> bytes:
    """The digest as the bytes of an .eml file (CRLF line ends, as RFC 5322 has them)."""
    drawn = charts.render(list(item.charts), chart_cache)
    pngs = [(f"chart-{n}-{c.key[:16]}@{DOMAIN}", c, charts.to_png(c.svg)) for n, c in enumerate(drawn, start=1)]
    text = plain_text(item)
    html = html_part(env, item, [(cid, chart) for cid, chart, _ in pngs])
    digest = hashlib.sha256("\0".join([text, html, *(cid for cid, _, _ in pngs)]).encode())
    for _, _, png in pngs:
        digest.update(png)
    token = digest.hexdigest()[:32]

    message = EmailMessage(policy=policy.SMTP)
    message["MIME-Version"] = "1.0"
    message["Subject"] = f"{item.organization}: {item.period_label} at a glance"
    message["From"] = _address(sender, "--from") if sender else SENDER
    if to:
        message["To"] = [_address(t, "--to") for t in to]
    message["Date"] = format_datetime(now.astimezone(dt.UTC))
    message["Message-ID"] = f"<digest-{item.period_key}-{token[:24]}@{DOMAIN}>"  # one line: 78 characters at most
    message["X-Mailer"] = f"storyteller {__version__}"
    alternative = EmailMessage(policy=policy.SMTP)
    alternative.set_content(text, cte="quoted-printable")
    alternative.add_alternative(html, subtype="html", cte="quoted-printable")
    message.make_related()
    message.set_param("type", "multipart/alternative")  # RFC 2387: the type of the first part, the one shown
    message.attach(alternative)
    for cid, chart, png in pngs:
        message.add_related(
            png,
            maintype="image",
            subtype="png",
            cid=f"<{cid}>",
            filename=f"{chart.kind}-chart.png",
            disposition="inline",
        )
    for n, part in enumerate(p for p in message.walk() if p.is_multipart()):
        part.set_boundary(f"=_storyteller_{token}_{n}")
    for part in message.walk():
        if part is not message:
            del part["MIME-Version"]  # a header of the message, not of its parts (RFC 2045)
    return message.as_bytes()
