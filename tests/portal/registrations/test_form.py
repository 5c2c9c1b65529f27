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


def test_accented_domains_are_kept_in_idna_form() -> None:
    """café.fr is xn--caf-dma.fr wherever it is compared (sync.domain.domains): typed in
    the form, on a HubSpot company (mappings) or in the engine (R7, R8, R9)."""
    assert domain_of("https://www.Café.fr/menu") == "xn--caf-dma.fr"
    assert domain_of("xn--caf-dma.fr") == "xn--caf-dma.fr"
    assert domain_of("bücher.例え.テスト") == "xn--bcher-kva.xn--r8jz45g.xn--zckzah"
    assert normalize_domain("CAFÉ.fr") == "xn--caf-dma.fr"
    assert normalise_domain("www.café.fr") == normalise_domain("xn--caf-dma.fr")
    assert normalise_domain("CAFÉ.FR") == "xn--caf-dma.fr"
    assert email_of("chef@Café.fr") == "chef@xn--caf-dma.fr"
    for text in ["caf\u00e9 bar.fr", "\U0001f600.fr", "-café.fr"]:
        assert domain_of(text) is None, text
    assert parse_prospect({**FORM, "domain": "café.fr"}) == (
        Prospect("Globex SA", "xn--caf-dma.fr", "ceo@globex.fr", "GPU L40S"), {})


def test_control_and_format_characters_are_refused_in_every_field() -> None:
    for char in ["\x00", "\x01", "\x7f", "\u202e", "\u200b", "\ufeff", "\ue000", "\u0378"]:
        form = {name: f"{value[:3]}{char}{value[3:]}" for name, value in FORM.items()}
        assert parse_prospect(form) == (None, dict.fromkeys(FORM, Problem.INVISIBLE)), (
            hex(ord(char)))
    # a tab or a line break (a pasted name) is a space
    assert parse_prospect({**FORM, "company_name": "Globex\tSA\r\n"})[0] == Prospect(
        "Globex SA", "globex.fr", "ceo@globex.fr", "GPU L40S")
    assert parse_prospect({**FORM, "company_name": "Société Générale – Café ☕"})[1] == {}
