"""The reviewer's report: one static HTML page that states the verdict first.

`sb-readiness-report.html` is what a partner hands over at the review. It is plain HTML and
CSS (no script needed to read it, nothing loaded from outside the file): the verdict banner,
then AFAS's review areas in review order with a short introduction, every check in ID order
with its findings as sentences, the exchanges those findings name, how to reproduce a
failure, the App Center listing card, provenance and the history of earlier runs. The Allure
report with every test and step sits beside it for developers.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checks.catalog import AREA_INTROS, CHECKS, REVIEW_ORDER, area_name, check_text
from sbready.report.evidence import JudgementEvidence, ShortExchange
from sbready.report.i18n import text
from sbready.report.nl import translate
from sbready.report.reproduce import fault_curl, fault_rule, rerun_command
from sbready.report.verdict import CheckResult, Verdict, first_line

DATA_ID = "sbready-data"
_LISTING_CHECKS = {"logo": "LST-01", "support_url": "LST-02", "summary": "LST-03",
                   "description": "LST-04", "onboarding_url": "LST-05"}
_STATUS_CLASS = {"passed": "ok", "failed": "bad", "broken": "bad", "unknown": "bad",
                 "skipped": "na", "not_run": "na"}


@dataclass(frozen=True)
class FrontPage:
    """Everything the page shows besides the results themselves."""

    lang: str = "en"
    app_name: str = ""
    listing: Mapping[str, Any] = field(default_factory=dict)
    provenance: Mapping[str, Any] = field(default_factory=dict)
    history: Sequence[Mapping[str, Any]] = ()  # earlier runs, oldest first, this run last
    history_dir: str = ""
    rerun_base: str = "sb-readiness run --config readiness.toml"
    allure_file: str | None = None
    journal_file: str | None = None


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _status_word(status: str, lang: str) -> str:
    key = {"not_run": "not_run_status"}.get(status, status)
    return text(key if key in ("passed", "failed", "broken", "skipped", "not_run_status")
                else "unknown", lang)


def _skip_reason(message: str | None) -> str:
    reason = (message or "").strip()
    for prefix in ("Skipped: ", "skipped: "):
        if reason.startswith(prefix):
            reason = reason[len(prefix):]
    return reason.splitlines()[0] if reason else ""


_SEQ_REF = re.compile(r"(?<![\w#&])#(\d{1,6})\b")


def _linked(sentence: str, check_id: str, shown: set[int]) -> str:
    """`sentence` escaped, each "#12" it names linked to that exchange's block below."""
    escaped = _e(sentence)
    return _SEQ_REF.sub(lambda m: f'<a href="#{check_id}-x{m.group(1)}">#{m.group(1)}</a>'
                        if int(m.group(1)) in shown else m.group(0), escaped)


def _exchange_block(exchange: ShortExchange, lang: str, check_id: str) -> str:
    request_headers = "".join(f"\n{_e(k)}: {_e(v)}" for k, v in exchange.request_headers.items())
    response_headers = "".join(f"\n{_e(k)}: {_e(v)}"
                               for k, v in exchange.response_headers.items())
    status = str(exchange.status) if exchange.status else text("no_answer", lang)
    request_body = f"\n\n{_e(exchange.request_body)}" if exchange.request_body else ""
    response_body = f"\n\n{_e(exchange.response_body)}" if exchange.response_body else ""
    fault = (f'<p class="fault">{_e(text("fault", lang))}: {_e(exchange.fault)}</p>'
             if exchange.fault else "")
    return (
        f'<div class="exchange" id="{check_id}-x{exchange.seq}">'
        f'<p class="xhead">#{exchange.seq} {_e(exchange.method)} {_e(exchange.url)} &rarr; '
        f'<b>{_e(status)}</b> <span class="muted">{_e(exchange.time)}, '
        f'{exchange.duration_ms:g} ms</span></p>{fault}'
        f'<div class="xcols"><pre><b>{_e(text("request", lang))}</b>{request_headers}'
        f'{request_body}</pre><pre><b>{_e(text("response", lang))} {_e(status)}</b>'
        f'{response_headers}{response_body}</pre></div></div>'
    )


def _reproduce(check_id: str, items: Sequence[JudgementEvidence], page: FrontPage) -> str:
    lang = page.lang
    lines = [f'<div class="repro"><h4>{_e(text("reproduce", lang))}</h4>',
             f'<p>{_e(text("rerun", lang))}</p>',
             f"<pre>{_e(rerun_command(page.rerun_base, check_id))}</pre>"]
    rules = []
    for item in items:
        for fault in item.extra.get("faults") or ():
            rule = fault_rule(fault)
            if rule is not None and rule not in rules:
                rules.append(rule)
    if rules:
        lines.append(f'<p>{_e(text("same_fault", lang))}</p>')
        lines.append("<pre>" + "\n".join(_e(fault_curl(rule)) for rule in rules[:4]) + "</pre>")
    lines.append("</div>")
    return "".join(lines)


def _check_section(
    check_id: str, result: CheckResult | None, items: Sequence[JudgementEvidence],
    page: FrontPage, trend: str,
) -> str:
    lang = page.lang
    info = CHECKS[check_id]
    title, passes_when, fails_for = check_text(check_id, lang)
    status = result.status if result else "not_run"
    css = _STATUS_CLASS.get(status, "bad")
    failing = css == "bad"
    parts = [f'<details class="check {css}" id="{check_id}"{" open" if failing else ""}>',
             f'<summary><span class="id">{check_id}</span> {_e(title)} '
             f'<span class="badge {css}">{_e(_status_word(status, lang))}</span>'
             f'<span class="sev">{_e(info.severity)}</span>{trend}</summary>']
    if status == "skipped" and result is not None:
        reason = translate(_skip_reason(result.message), lang)
        parts.append(f'<p class="skipreason">{_e(text("not_applicable", lang, reason=reason))}</p>')
    shown: set[int] = set()
    for item in items:
        if item.skipped:
            continue
        fresh = [x for x in item.exchanges if x.seq not in shown] if not item.passed else []
        linkable = shown | {x.seq for x in fresh}
        parts.append(f'<p class="sentence">'
                     f'{_linked(translate(item.sentence, lang), check_id, linkable)}</p>')
        if item.findings:
            parts.append("<ul class=\"findings\">" + "".join(
                f"<li>{_linked(translate(finding, lang), check_id, linkable)}</li>"
                for finding in item.findings) + "</ul>")
        if fresh:
            parts.append(f'<p class="muted">{_e(text("exchanges", lang))}:</p>')
            parts += [_exchange_block(exchange, lang, check_id) for exchange in fresh]
            shown.update(x.seq for x in fresh)
    if not items and result is not None and status in ("failed", "broken", "unknown"):
        sentence = translate(first_line(result.message, check_id), lang)
        parts.append(f'<p class="sentence">{_e(sentence)}</p>')
    warnings = result.warnings if result else ()
    if warnings:
        parts.append(f'<p class="muted">{_e(text("warnings", lang))}:</p><ul class="warnings">'
                     + "".join(f"<li>{_e(translate(w, lang))}</li>" for w in warnings) + "</ul>")
    consequence = text("decides" if info.decides_verdict else "reported", lang)
    parts.append(f'<p class="about"><b>{_e(text("passes_when", lang))}:</b> {_e(passes_when)} '
                 f'<b>{_e(text("fails_for", lang))}:</b> {_e(fails_for)}. {_e(consequence)}</p>')
    if failing:
        parts.append(_reproduce(check_id, items, page))
    parts.append("</details>")
    return "".join(parts)


def _banner(verdict: Verdict, page: FrontPage) -> str:
    lang = page.lang
    ran = len(verdict.results)
    total = ran + len(verdict.not_run)
    word = text("ready" if verdict.ready else "not_ready", lang)
    css = "ready" if verdict.ready else "notready"
    parts = [f'<header class="banner {css}" id="verdict"><div class="word">{_e(word)}</div>',
             f'<div class="app">{_e(page.app_name)} &middot; {_e(text("title", lang))}</div>',
             f'<p>{_e(text("ran", lang, ran=ran, total=total))}</p>']
    if page.provenance.get("target"):  # a live run says what it ran against
        parts.append(f'<p>{_e(page.provenance["target"])}</p>')
    missing = len(verdict.not_run)
    if missing:
        ids = ", ".join(verdict.not_run)
        parts.append(f'<p>{_e(text("not_run", lang, count=missing, ids=ids))}</p>')
        if verdict.ready:
            parts.append(f'<p>{_e(text("ready_partial", lang, ran=ran, count=missing))}</p>')
    if not verdict.results:
        parts.append(f'<p>{_e(text("no_checks", lang))}</p>')
    if verdict.blocking:
        parts.append(f'<p>{_e(text("blocking", lang))}</p><ul class="blocking">')
        for result in verdict.blocking:
            title = check_text(result.check_id, lang)[0] if result.check_id in CHECKS \
                else result.name
            parts.append(f'<li><a href="#{result.check_id}">{result.check_id}</a> {_e(title)} '
                         f'({_e(result.severity)})</li>')
        parts.append("</ul>")
    if verdict.warnings:
        count = len(verdict.warnings)
        parts.append(f'<p class="muted">{_e(text("warnings_count", lang, count=count))}</p>')
    parts.append("</header>")
    return "".join(parts)


def _trend(check_id: str, history: Sequence[Mapping[str, Any]]) -> str:
    if len(history) < 2:
        return ""
    marks = []
    for run in history[-10:]:
        status = (run.get("checks") or {}).get(check_id, "not_run")
        css = _STATUS_CLASS.get(status, "bad")
        marks.append(f'<i class="t {css}" title="{_e(run.get("started", ""))}: {_e(status)}"></i>')
    return f'<span class="trend">{"".join(marks)}</span>'


def _resolved_urls(evidence: Mapping[str, Sequence[JudgementEvidence]]) -> dict[str, str]:
    """The listing URLs as this run used them (placeholders such as {app_port} filled)."""
    urls: dict[str, str] = {}
    for check_id, name, key in (("LST-02", "support_url", "support_url"),
                                ("LST-05", "first_hop", "onboarding_url")):
        for item in evidence.get(check_id, ()):
            value = (item.extra.get("attachments") or {}).get(name)
            if isinstance(value, dict) and isinstance(value.get("url"), str):
                urls[key] = value["url"].split("?afasBaseUrl=")[0]
    return urls


def _listing_card(results: Mapping[str, CheckResult], page: FrontPage,
                  resolved: Mapping[str, str]) -> str:
    lang = page.lang
    listing = page.listing

    def result_badge(key: str) -> str:
        check_id = _LISTING_CHECKS[key]
        result = results.get(check_id)
        status = result.status if result else "not_run"
        css = _STATUS_CLASS.get(status, "bad")
        return (f' <a class="badge {css}" href="#{check_id}">{check_id} '
                f'{_e(_status_word(status, lang))}</a>')

    logo = listing.get("logo_data_uri")
    logo_html = (f'<img class="logo" alt="{_e(listing.get("name", "logo"))}" src="{_e(logo)}">'
                 if logo else f'<p class="muted">{_e(text("no_logo", lang))}</p>')

    def value(key: str) -> str:
        raw = listing.get(key)
        if not raw:
            return _e(text("not_given", lang))
        used = resolved.get(key)
        if "{" in str(raw) and used:  # as written, then what the placeholders became
            return f'{_e(raw)}</code><br><code class="muted">{_e(used)}'
        return _e(raw)

    return (
        f'<section class="listing" id="listing"><h2>{_e(text("listing", lang))}</h2>'
        f'<div class="card"><div>{logo_html}<p>{_e(text("logo", lang))}{result_badge("logo")}'
        f'</p></div><div class="fields">'
        f'<p><b>{_e(listing.get("name") or page.app_name)}</b></p>'
        f'<p><b>{_e(text("summary", lang))}</b>{result_badge("summary")}<br>{value("summary")}</p>'
        f'<p><b>{_e(text("description", lang))}</b>{result_badge("description")}</p>'
        f'<div class="verbatim">{value("description")}</div>'
        f'<p><b>{_e(text("support_url", lang))}</b>{result_badge("support_url")}<br>'
        f'<code>{value("support_url")}</code></p>'
        f'<p><b>{_e(text("onboarding_url", lang))}</b>{result_badge("onboarding_url")}<br>'
        f'<code>{value("onboarding_url")}</code></p></div></div></section>'
    )


def _provenance(page: FrontPage) -> str:
    lang = page.lang
    p = page.provenance
    rows = [
        ("tool_version", p.get("tool_version")), ("sb_version", p.get("sb_version")),
        ("spec_sha", p.get("spec_sha256")), ("config_hash", p.get("config_sha256")),
        ("app", p.get("app")), ("app_version", p.get("app_version")),
        ("command", p.get("command")), ("started", p.get("started")),
        ("ended", p.get("ended")), ("target", p.get("target")), ("writes", p.get("writes")),
        ("complete", text("yes" if p.get("complete") else "no", lang)
         if "complete" in p else None),
    ]
    body = "".join(f"<tr><th>{_e(text(key, lang))}</th><td><code>{_e(value)}</code></td></tr>"
                   for key, value in rows if value not in (None, ""))
    return (f'<section id="provenance"><h2>{_e(text("provenance", lang))}</h2>'
            f"<table>{body}</table></section>")


def _history(page: FrontPage) -> str:
    lang = page.lang
    runs = page.history
    if len(runs) < 2:
        return (f'<section id="history"><h2>{_e(text("history", lang))}</h2><p class="muted">'
                f'{_e(text("history_none", lang, dir=page.history_dir))}</p></section>')
    head = "".join(f'<th title="{_e(run.get("started", ""))}">{index + 1}</th>'
                   for index, run in enumerate(runs[-10:]))
    verdicts = "".join(
        f'<td class="{"ok" if run.get("ready") else "bad"}">'
        f'{_e(text("ready" if run.get("ready") else "not_ready", lang))}</td>'
        for run in runs[-10:])
    return (f'<section id="history"><h2>{_e(text("history", lang))}</h2>'
            f'<p class="muted">{_e(text("history_intro", lang, dir=page.history_dir))}</p>'
            f'<table class="hist"><tr><th></th>{head}</tr><tr><th>{_e(text("c_verdict", lang))}'
            f"</th>{verdicts}</tr></table></section>")


_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d232b;
background:#f4f6f8}main{max-width:1100px;margin:0 auto;padding:0 16px 48px}
.banner{padding:22px 28px;color:#fff;border-radius:0 0 10px 10px}.banner .word{font-size:44px;
font-weight:800;letter-spacing:.02em}.banner.ready{background:#18794e}.banner.notready{
background:#b42318}.banner a{color:#fff;font-weight:700}.banner p{margin:6px 0}.banner .app{
font-size:18px;opacity:.95}.banner .muted{color:#f1f1f1}
nav{margin:14px 0}nav a{margin-right:14px}h2{margin:28px 0 4px}.intro{margin:0 0 10px;color:#444}
table.areas td,table.areas th{padding:3px 10px;text-align:left}
.check{background:#fff;border:1px solid #d8dde3;border-left:6px solid #9aa4ae;border-radius:6px;
margin:6px 0;padding:6px 12px}.check.ok{border-left-color:#18794e}.check.bad{border-left-color:
#b42318}.check.na{border-left-color:#9aa4ae}summary{cursor:pointer;font-weight:600}
.id{font-family:ui-monospace,monospace;margin-right:6px}.badge{display:inline-block;
font-size:12px;border-radius:10px;padding:1px 8px;margin-left:8px;color:#fff;text-decoration:none}
.badge.ok{background:#18794e}.badge.bad{background:#b42318}.badge.na{background:#7a8590}
.sev{font-size:12px;color:#666;margin-left:8px;font-weight:400}.muted{color:#667}
.findings li{margin:2px 0}.about{font-size:13px;color:#555}.skipreason{color:#555;font-style:italic}
.exchange{border:1px solid #e1e5ea;border-radius:5px;margin:6px 0;background:#fafbfc}
.xhead{margin:0;padding:4px 8px;font-family:ui-monospace,monospace;font-size:13px;
background:#eef1f4}.xcols{display:flex;gap:6px}.xcols pre{flex:1;margin:0;padding:6px 8px;
font-size:12px;white-space:pre-wrap;word-break:break-all;max-height:260px;overflow:auto}
.fault{margin:0;padding:2px 8px;font-size:13px;color:#8a4b00}.repro pre{background:#1d232b;
color:#e8ecef;padding:8px;border-radius:5px;white-space:pre-wrap;word-break:break-all;
font-size:12px}.repro h4{margin:8px 0 2px}.card{display:flex;gap:20px;background:#fff;
border:1px solid #d8dde3;border-radius:8px;padding:16px}.logo{width:128px;height:128px;
object-fit:contain;border:1px solid #e1e5ea;border-radius:8px;background:#fff}
.verbatim{white-space:pre-wrap;background:#f7f8fa;padding:8px;border-radius:5px}
#provenance table th{text-align:left;padding:2px 12px 2px 0;vertical-align:top}
#provenance code{word-break:break-all}.trend{margin-left:10px}.t{display:inline-block;width:9px;
height:9px;border-radius:2px;margin-right:2px}.t.ok{background:#18794e}.t.bad{background:#b42318}
.t.na{background:#b8c0c8}table.hist td,table.hist th{padding:2px 8px}td.ok{color:#18794e}
td.bad{color:#b42318}
"""


def render(verdict: Verdict, evidence: Mapping[str, Sequence[JudgementEvidence]],
           page: FrontPage) -> str:
    """The whole page as HTML text."""
    lang = page.lang
    by_id = {result.check_id: result for result in verdict.results}
    nav = [f'<a href="#area-{prefix}">{_e(area_name(prefix, lang))}</a>' for prefix in REVIEW_ORDER]
    nav.append(f'<a href="#listing">{_e(text("listing", lang))}</a>')
    nav.append(f'<a href="#provenance">{_e(text("provenance", lang))}</a>')
    nav.append(f'<a href="#history">{_e(text("history", lang))}</a>')
    links = []
    if page.allure_file:
        links.append(f'<a href="{_e(page.allure_file)}">{_e(text("allure_link", lang))}</a>')
    if page.journal_file:
        links.append(f'<a href="{_e(page.journal_file)}">{_e(text("journal_link", lang))}</a>')
    links.append(f'<a href="verdict.json">{_e(text("verdict_link", lang))}</a>')
    body = [_banner(verdict, page), "<main>", f'<nav>{" ".join(nav)}</nav>']
    for prefix in REVIEW_ORDER:
        ids = [check_id for check_id in CHECKS if check_id.startswith(prefix + "-")]
        ids.sort()
        english, dutch = AREA_INTROS[prefix]
        body.append(f'<section class="area" id="area-{prefix}"><h2>{_e(area_name(prefix, lang))}'
                    f'</h2><p class="intro">{_e(dutch if lang == "nl" else english)}</p>')
        for check_id in ids:
            if check_id not in by_id and check_id not in verdict.not_run:
                continue  # --only: neither ran nor expected
            body.append(_check_section(check_id, by_id.get(check_id), evidence.get(check_id, ()),
                                       page, _trend(check_id, page.history)))
        body.append("</section>")
    body.append(_listing_card(by_id, page, _resolved_urls(evidence)))
    body.append(_provenance(page))
    body.append(_history(page))
    body.append(f'<section><h2>{_e(text("details", lang))}</h2><p>{" &middot; ".join(links)}'
                f"</p></section></main>")
    data = _machine_data(verdict, page)
    word = text("ready" if verdict.ready else "not_ready", lang)
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_e(word)}: {_e(page.app_name)}</title><style>{_CSS}</style></head><body>"
        + "".join(body)
        + f'<script type="application/json" id="{DATA_ID}">{data}</script></body></html>\n'
    )


def _machine_data(verdict: Verdict, page: FrontPage) -> str:
    """The verdict and per-check status as JSON for tools (escaped for a script element)."""
    data = {
        "verdict": "READY" if verdict.ready else "NOT READY",
        "lang": page.lang,
        "blocking": [r.check_id for r in verdict.blocking],
        "not_run": list(verdict.not_run),
        "areas": {prefix: area_name(prefix, page.lang) for prefix in REVIEW_ORDER},
        "checks": {r.check_id: {"status": r.status, "area": r.area} for r in verdict.results},
        "provenance": dict(page.provenance),
    }
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def embedded_data(html_text: str) -> bytes | None:
    """The machine-readable JSON the page carries, or None (not a front page)."""
    start_tag = f'<script type="application/json" id="{DATA_ID}">'
    start = html_text.find(start_tag)
    if start < 0:
        return None
    end = html_text.find("</script>", start)
    return html_text[start + len(start_tag):end].replace("<\\/", "</").encode("utf-8")


def logo_data_uri(path: Path | None, limit: int = 400_000) -> str | None:
    """The logo as a data: URI the page can show offline, or None (missing, unreadable, huge)."""
    if path is None or not path.is_file():
        return None
    kinds = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
             ".svg": "image/svg+xml", ".gif": "image/gif", ".webp": "image/webp"}
    kind = kinds.get(path.suffix.lower())
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if kind is None or len(data) > limit:
        return None
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def write_front_page(output: Path, verdict: Verdict,
                     evidence: Mapping[str, Sequence[JudgementEvidence]], page: FrontPage) -> Path:
    """Write the page to `output` and return it."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(verdict, evidence, page), encoding="utf-8")
    return output
