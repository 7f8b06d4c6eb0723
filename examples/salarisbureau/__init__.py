"""Salarisbureau: a payroll bureau's AFAS SB Admin Center app (an sb-readiness reference app).

The bureau runs payroll for the clients of an accounting office. The office's administrator
activates the app in its AFAS SB Admin Center and pastes the app token on the connect page;
the app lists the office's client environments with getscopes and books every payroll run
as one payroll journal entry in that client's environment. Standard library plus httpx.
"""
