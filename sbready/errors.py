"""Errors the CLI turns into one-sentence messages and exit codes."""


class UsageError(Exception):
    """The user's input is wrong (bad flag, config, path); exit code 2. Message says the fix."""

    exit_code = 2


class HarnessError(Exception):
    """The harness could not do its job (app never ready, sandbox crashed); exit code 3."""

    exit_code = 3
