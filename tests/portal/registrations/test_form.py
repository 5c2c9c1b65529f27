"""The registration form's parsing: each field's problem, and the domain normalised as
HubSpot companies' domains are (R8: lower case, leading www. ignored), by property."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mappings.values import normalize_domain
from sync.engine.attribution import normalise_domain
from sync.engine.registration import Prospect
from sync.portal.registration_form import Problem, domain_of, email_of, parse_prospect

LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True).filter(
    lambda label: label != "www")
HOST = st.builds(lambda labels, tld: ".".join([*labels, tld]),
                 st.lists(LABEL, min_size=1, max_size=3), st.from_regex(r"[a-z]{2,6}",
                                                                        fullmatch=True))
DRESSED = st.tuples(HOST, st.sampled_from(["", "http://", "https://", "HTTPS://"]),
                    st.sampled_from(["", "www.", "WWW."]),
                    st.sampled_from(["", "/", "/pricing?x=1", ":443/a#b", "."]),
                    st.booleans())


def dress(host: str, scheme: str, www: str, tail: str, upper: bool) -> str:
    return f"  {scheme}{www}{host.upper() if upper else host}{tail} "


@given(DRESSED)
def test_a_domain_however_typed_is_its_bare_host(parts: tuple[str, str, str, str, bool]
                                                 ) -> None:
    host = parts[0]
    typed = dress(*parts)
    expected = host
    assert domain_of(typed) == expected
    # the same as a HubSpot company's domain (partners' R8) and stable under the engine's
    assert normalize_domain(typed) == expected
    assert normalise_domain(expected) == expected


@given(DRESSED)
def test_normalising_twice_changes_nothing(parts: tuple[str, str, str, str, bool]) -> None:
    once = domain_of(dress(*parts))
    assert once is not None and domain_of(once) == once


@given(st.text(max_size=40))
def test_any_text_gives_a_host_or_none_never_an_error(text: str) -> None:
    domain = domain_of(text)
    assert domain is None or (domain == domain.lower() and "." in domain
                              and not domain.startswith("www."))


def test_domains_that_are_not_hosts() -> None:
    for text in ["", "acme", "acme.", "-acme.fr", "acme-.fr", "ac me.fr", "acme.f",
                 "acme.123", "a_b.fr", "x" * 64 + ".fr", "localhost"]:
        assert domain_of(text) is None, text


def test_emails() -> None:
    assert email_of("Jane.Doe+x@Globex.FR") == "Jane.Doe+x@globex.fr"
    for text in ["", "jane", "jane@", "@globex.fr", "jane@globex", "ja ne@globex.fr",
                 "jane@@globex.fr"]:
        assert email_of(text) is None, text


FORM = {"company_name": "  Globex   SA ", "domain": "https://www.Globex.fr/",
        "contact_email": "ceo@globex.fr", "expected_plan": "GPU L40S"}


def test_a_good_form_is_a_prospect() -> None:
    assert parse_prospect(FORM) == (
        Prospect("Globex SA", "globex.fr", "ceo@globex.fr", "GPU L40S"), {})


def test_each_field_says_what_it_expects() -> None:
    assert parse_prospect({}) == (None, {
        "company_name": Problem.NAME_MISSING, "domain": Problem.DOMAIN_MISSING,
        "contact_email": Problem.EMAIL_MISSING, "expected_plan": Problem.PLAN_MISSING})
    bad = {"company_name": "x" * 256, "domain": "globex", "contact_email": "ceo@",
           "expected_plan": "p" * 65}
    assert parse_prospect(bad) == (None, {
        "company_name": Problem.NAME_TOO_LONG, "domain": Problem.DOMAIN_INVALID,
        "contact_email": Problem.EMAIL_INVALID, "expected_plan": Problem.PLAN_TOO_LONG})
    assert parse_prospect({**FORM, "domain": "globex"}) == (
        None, {"domain": Problem.DOMAIN_INVALID})
