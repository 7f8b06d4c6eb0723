"""RelatieSync: a CRM that mirrors AFAS SB relations incrementally and creates new ones.

A reference partner app for sb-readiness, written from AFAS's SB documentation: a customer
app-token app (the administrator pastes the App Center token on the connect page), one
long-running process that serves a small admin UI and `POST /sync`, and a worker thread that
runs one sync at a time: TrackingToken deltas with de-duplication by Id, and an outbox of new
organisations written with a persisted Tracking-Identifier per logical write.
"""
