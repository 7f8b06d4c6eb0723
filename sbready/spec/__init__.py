"""AFAS SB OpenAPI handling: resolve, normalise, lint, index."""
