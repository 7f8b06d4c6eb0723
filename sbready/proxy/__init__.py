"""A recording reverse proxy in front of a real AFAS SB: the sandbox's journal, live traffic."""
