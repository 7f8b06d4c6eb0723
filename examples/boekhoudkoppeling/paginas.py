"""The Dutch HTML pages customers see (no scripts, no third-party resources)."""

from __future__ import annotations

from html import escape

_STIJL = ("body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;"
          "padding:0 1rem;color:#1d2b36}h1{color:#0b5c8c}label{display:block;margin:.6rem 0}"
          "input{padding:.4rem;width:100%}button{margin-top:.8rem;padding:.5rem 1rem}"
          ".fout{color:#a1260d}")


def pagina(titel: str, inhoud: str) -> str:
    """A whole page around `inhoud` (already escaped HTML)."""
    return (f'<!doctype html><html lang="nl"><head><meta charset="utf-8">'
            f"<title>{escape(titel)} - Boekhoudkoppeling</title>"
            f"<style>{_STIJL}</style></head><body><h1>{escape(titel)}</h1>{inhoud}"
            '<p><small><a href="/ondersteuning">Hulp nodig? Ondersteuning</a></small></p>'
            "</body></html>")


def _inlogformulier(formtoken: str, melding: str | None) -> str:
    fout = f'<p class="fout">{escape(melding)}</p>' if melding else ""
    return (f'{fout}<form method="post" action="/afas-sb/inloggen">'
            f'<input type="hidden" name="formtoken" value="{escape(formtoken)}">'
            '<label>E-mailadres <input name="gebruikersnaam" type="email" required '
            'autocomplete="username"></label>'
            '<label>Wachtwoord <input name="wachtwoord" type="password" required '
            'autocomplete="current-password"></label>'
            '<button type="submit">Inloggen en koppelen</button></form>')


def landing(omgeving: str, formtoken: str, *, bekend: bool, melding: str | None = None) -> str:
    """The onboarding page: log in to connect, or (new here) ask for an account."""
    if bekend:
        intro = (f"<p>Welkom terug. Log in om AFAS SB-omgeving <b>{escape(omgeving)}</b> "
                 "opnieuw te koppelen aan uw administratie in Boekhoudkoppeling.</p>")
    else:
        intro = (f"<p>U wilt AFAS SB-omgeving <b>{escape(omgeving)}</b> koppelen aan "
                 "Boekhoudkoppeling. Heeft u al een account? Log dan in; daarna vraagt AFAS "
                 "om uw toestemming.</p>")
    return pagina("Koppelen met AFAS SB", intro + _inlogformulier(formtoken, melding) + (
        "<h2>Nog geen klant?</h2><p>Boekhoudkoppeling boekt uw verkoopfacturen automatisch "
        "in AFAS SB. <a href=\"/afas-sb/aanmelden\">Vraag een proefperiode aan</a> en wij "
        "richten uw account in.</p>"))


def aanmelden(omgeving: str | None, *, bedankt: bool) -> str:
    """The prospect page: a short sign-up form."""
    if bedankt:
        return pagina("Bedankt voor uw aanmelding",
                      "<p>We nemen binnen één werkdag contact met u op om uw proefperiode "
                      "in te richten. Daarna koppelt u AFAS SB vanuit de App Center.</p>")
    waar = (f" voor AFAS SB-omgeving <b>{escape(omgeving)}</b>" if omgeving else "")
    return pagina("Proefperiode aanvragen",
                  f"<p>Vraag een gratis proefperiode van Boekhoudkoppeling aan{waar}. Uw "
                  "verkoopfacturen worden dan als verkoopjournaalposten in AFAS SB geboekt.</p>"
                  '<form method="post" action="/afas-sb/aanmelden">'
                  '<label>Bedrijfsnaam <input name="bedrijf" required></label>'
                  '<label>E-mailadres <input name="email" type="email" required></label>'
                  '<button type="submit">Aanvragen</button></form>')


def gekoppeld(omgeving: str) -> str:
    """The confirmation after consent: the tokens are stored, the sync follows."""
    return pagina("Gekoppeld met AFAS SB",
                  f"<p>Boekhoudkoppeling is gekoppeld aan AFAS SB-omgeving "
                  f"<b>{escape(omgeving)}</b>. Bij de volgende synchronisatie (elk kwartier) "
                  "worden uw nieuwe verkoopfacturen geboekt. U kunt dit venster sluiten.</p>")


def melding(titel: str, tekst: str, *, opnieuw: bool = False) -> str:
    """A page with one message (errors, denied consent), optionally with a way back."""
    terug = ("<p>Start de koppeling opnieuw vanuit de App Center van AFAS SB.</p>"
             if opnieuw else "")
    return pagina(titel, f"<p>{escape(tekst)}</p>{terug}")


def ondersteuning() -> str:
    """The support page listed in the App Center."""
    return pagina("Ondersteuning",
                  "<p>Vragen over de koppeling met AFAS SB? Mail support@boekhoudkoppeling.nl "
                  "of bel 030 123 45 67 (werkdagen 8:30 tot 17:00).</p>"
                  "<h2>Veelgestelde vragen</h2><ul>"
                  "<li><b>De synchronisatie vraagt om opnieuw koppelen.</b> De toestemming in "
                  "AFAS SB is ingetrokken; start de koppeling opnieuw vanuit de App Center.</li>"
                  "<li><b>Een factuur is afgewezen.</b> Pas de factuur aan; de volgende "
                  "synchronisatie verstuurt de gecorrigeerde versie.</li></ul>")


def home() -> str:
    """The app's front page."""
    return pagina("Boekhoudkoppeling",
                  "<p>Boekhoudkoppeling boekt uw verkoopfacturen als verkoopjournaalposten in "
                  "AFAS SB. Koppelen doet u vanuit de App Center van AFAS SB.</p>")
