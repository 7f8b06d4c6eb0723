"""App Center listing: logo, support URL, summary, description, onboarding URL.

Evidence windows: none in the journal; the listing's own facts (LogoFacts, UrlFacts) only.
"""

from __future__ import annotations

import pytest

from checks import listing
from sbready.harness import Harness
from sbready.listing import LogoFacts, UrlFacts, follow_url, inspect_logo
from suites.support import record


@pytest.mark.check("LST-01")
def test_logo(harness: Harness) -> None:
    thresholds = harness.config.thresholds
    configured = harness.config.listing.logo
    logo = inspect_logo(configured) if configured else LogoFacts("(none)", False, None, None, None)
    record(listing.logo_usable(logo, min_px=thresholds.logo_min_px,
                               square_tolerance=thresholds.logo_square_tolerance),
           logo=logo.__dict__)


@pytest.mark.check("LST-02")
def test_support_url(harness: Harness) -> None:
    url = harness.config.listing.support_url
    support = (follow_url(url, ca_file=harness.ca_file) if url
               else UrlFacts("(none)", None, None, (), "no support_url in [listing]"))
    record(listing.support_url_works(support, mode=harness.config.app.mode),
           support_url=support.__dict__)


@pytest.mark.check("LST-03")
def test_summary(harness: Harness) -> None:
    record(listing.summary_fits(harness.config.listing.summary,
                                max_chars=harness.config.thresholds.summary_max_chars))


@pytest.mark.check("LST-04")
def test_description(harness: Harness) -> None:
    record(listing.description_detailed(
        harness.config.listing.description,
        min_chars=harness.config.thresholds.description_min_chars))


@pytest.mark.check("LST-05")
def test_onboarding_url(harness: Harness) -> None:
    published = harness.config.listing.onboarding_url or ""
    walk = harness.connected().result
    first = walk.hops[0] if walk.hops else None
    answer = UrlFacts(first.url, first.location, first.status, (), walk.error) if first else None
    record(listing.onboarding_url_publishable(published, answer, mode=harness.config.app.mode),
           first_hop=first.__dict__ if first else None)
