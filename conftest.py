"""From a checkout without an installed sb-readiness: load the suites' pytest plugin.

Installed (pip, pipx, editable), the `pytest11` entry point loads sbready.pytest_plugin
itself; pytest then skips this duplicate by name.
"""

pytest_plugins = ["sbready.pytest_plugin"]
