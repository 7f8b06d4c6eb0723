"""sb-readiness: the integration-readiness harness for AFAS SB App Center partners."""

__version__ = "0.1.0"
