"""Handing an app token to an app-token app: its hand-off command, or a form on its pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sbready.config import AppTokenConfig, LoginStep
from sbready.driver.command import bounded, run_in_group
from sbready.driver.onboarding import OnboardingWalker, WalkResult
from sbready.errors import UsageError
from sbready.secrets import Redactor


@dataclass(frozen=True)
class HandOffResult:
    """Whether the app accepted the token, with the evidence (redacted)."""

    ok: bool
    detail: str  # one sentence: what happened
    output: str = ""  # the command's output (command variant)
    exit_code: int | None = None
    walk: WalkResult | None = None  # the pages walked (form variant)


def hand_over_app_token(
    cfg: AppTokenConfig,
    *,
    app_token: str,
    afas_base_url: str,
    env: Mapping[str, str] | None,
    cwd: Path,
    redactor: Redactor,
    walker: OnboardingWalker | None = None,
    timeout: float = 60.0,
) -> HandOffResult:
    """Give the app its activation token as [apptoken] says (placeholders already filled).

    The command variant succeeds on exit code 0; the form variant when the walker submitted
    the form and the flow ended on a 2xx page. `app_token` and `afas_base_url` are only used
    for redaction and messages: the filled config already carries them.
    """
    redactor.add(app_token)
    if cfg.command:
        run = run_in_group(cfg.command, what="apptoken", env=env, cwd=cwd, timeout=timeout)
        output = bounded(redactor.redact(run.output))
        if run.timed_out:
            detail = f"the app-token command did not finish within {timeout:g} s"
        elif run.exit_code == 0:
            detail = f"the app-token command accepted the token for {afas_base_url}"
        else:
            detail = f"the app-token command exited with code {run.exit_code}"
        return HandOffResult(
            ok=run.exit_code == 0 and not run.timed_out,
            detail=detail,
            output=output,
            exit_code=run.exit_code,
        )
    if cfg.form is None:
        raise UsageError("[apptoken] needs command = \"...\" or form = { ... }; add one of them.")
    if walker is None:
        raise UsageError("the [apptoken] form variant needs an onboarding walker to fill the form.")
    form_step = LoginStep(url_contains=urlsplit(cfg.form.url).path, fields=dict(cfg.form.fields))
    walk = walker.walk(cfg.form.url, None, extra_login_steps=(form_step,))
    final = walk.final
    submitted = form_step.url_contains in walk.login_submitted
    ok = submitted and walk.error is None and final is not None and 200 <= final.status < 300
    if not submitted:
        detail = (
            f"the app-token form at {cfg.form.url} with fields {sorted(cfg.form.fields)} "
            "was not found, so the token was not handed over"
        )
    elif ok:
        detail = "the app-token form was submitted and the app answered with a 2xx page"
    else:
        status = final.status if final else "no answer"
        detail = f"the app-token form was submitted but the flow ended with {status}"
        if walk.error:
            detail += f" ({walk.error})"
    return HandOffResult(ok=ok, detail=redactor.redact(detail), walk=walk)
