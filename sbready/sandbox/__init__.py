"""The SB sandbox: a stateful local AFAS SB built from AFAS's OpenAPI files."""
