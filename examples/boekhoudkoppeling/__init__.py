"""Boekhoudkoppeling: a bookkeeping app that books its sales invoices in AFAS SB.

A reference partner app for sb-readiness, written from AFAS's documentation: WSGI on the
standard library, OAuth 2.0 code flow with PKCE, a callback that only stores tokens, and a
sync that runs later as a command. Its messages are Dutch, like its users.
"""
