"""French and European names for synthetic partners, customers and their domains."""

from __future__ import annotations

import unicodedata
from random import Random

CITIES = ("Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Bordeaux", "Lille", "Rennes",
          "Strasbourg", "Montpellier", "Nice", "Grenoble", "Dijon", "Angers", "Brest", "Tours",
          "Clermont-Ferrand", "Annecy", "Rouen", "Metz", "Bruxelles", "Genève", "Luxembourg")
FIRST_NAMES = ("Camille", "Julien", "Léa", "Thomas", "Manon", "Nicolas", "Chloé", "Antoine",
               "Sarah", "Maxime", "Inès", "Hugo", "Emma", "Lucas", "Clara", "Mathieu", "Zoé",
               "Romain", "Alice", "Karim", "Yasmine", "Pierre", "Élodie", "Sébastien")
LAST_NAMES = ("Martin", "Bernard", "Dubois", "Durand", "Lefèvre", "Moreau", "Laurent",
              "Simon", "Michel", "Garcia", "Roux", "Fournier", "Girard", "Bonnet", "Dupont",
              "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Benali", "Nguyen")
WORDS = ("Lumière", "Horizon", "Pixel", "Azur", "Boréal", "Cèdre", "Hermine", "Mistral",
         "Phare", "Colibri", "Sillon", "Granit", "Opale", "Garance", "Aubépine", "Vauban",
         "Céleste", "Quartz", "Nacre", "Ardoise", "Sirocco", "Lagune", "Vertige", "Écume")
AGENCY_PREFIXES = ("Agence", "Studio", "Atelier", "Collectif", "Maison")
MSP_SUFFIXES = ("Infogérance", "Systèmes", "IT Services", "Réseaux", "Cloud Services")
CUSTOMER_SUFFIXES = ("Analytics", "Logistique", "Santé", "Éditions", "Immobilier", "Voyages",
                     "Formation", "Bio", "Mobilité", "Assurances", "Games", "Studio", "Data",
                     "Énergie", "Commerce", "Conseil", "Robotique", "Médias")
TLDS = ("fr", "fr", "fr", "com", "eu", "io", "be")


def slug(text: str) -> str:
    """``"Agence Lumière"`` -> ``"agence-lumiere"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(ch if ch.isalnum() else " " for ch in ascii_text.lower()).split()
    return "-".join(words)


def person(rng: Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def email(first: str, last: str, domain: str) -> str:
    local = f"{slug(first)}.{slug(last)}".replace("-", "")
    return f"{local}@{domain}"


class DomainBook:
    """Hands out unique domains: a second ``lumiere.fr`` becomes ``lumiere2.fr``."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def take(self, name: str, tld: str) -> str:
        base = slug(name)
        candidate, number = f"{base}.{tld}", 1
        while candidate in self._taken:
            number += 1
            candidate = f"{base}{number}.{tld}"
        self._taken.add(candidate)
        return candidate

    def reserve(self, domain: str) -> None:
        self._taken.add(domain)


def partner_name(rng: Random, kind: str) -> str:
    if kind == "agency":
        return f"{rng.choice(AGENCY_PREFIXES)} {rng.choice(WORDS)}"
    if kind in ("msp", "reseller"):
        return f"{rng.choice(WORDS)} {rng.choice(MSP_SUFFIXES)}"
    first, last = person(rng)
    return f"{first} {last}" + (" Conseil" if kind == "freelancer" else "")


def customer_name(rng: Random) -> str:
    return f"{rng.choice(WORDS)} {rng.choice(CUSTOMER_SUFFIXES)}"
