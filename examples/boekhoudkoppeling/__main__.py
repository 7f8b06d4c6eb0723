"""`python -m examples.boekhoudkoppeling serve | sync | nieuwe-factuur`."""

from __future__ import annotations

import argparse
import json
import signal
import sqlite3
import sys
from pathlib import Path
from types import FrameType

from .instellingen import Configuratiefout, laad
from .opslag import Opslag


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m examples.boekhoudkoppeling",
                                     description="Boekhoudkoppeling: verkoopfacturen naar AFAS SB.")
    sub = parser.add_subparsers(dest="opdracht", required=True)
    serve = sub.add_parser("serve", help="de webapp (landingspagina, koppelen) starten")
    serve.add_argument("--port", type=int, default=8800)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--workdir", type=Path, required=True, help="map met de database")
    serve.add_argument("--publieke-url", help="adres waarop klanten de app bereiken "
                       "(standaard http(s)://HOST:PORT)")
    serve.add_argument("--certfile", help="TLS-certificaat (PEM) voor https")
    serve.add_argument("--keyfile", help="sleutel bij --certfile")
    sync = sub.add_parser("sync", help="nieuwe facturen boeken in AFAS SB")
    sync.add_argument("--workdir", type=Path, required=True)
    sync.add_argument("--facturen", type=Path, action="append", default=[],
                      help="exportbestand met facturen (JSON); mag vaker")
    nieuw = sub.add_parser("nieuwe-factuur", help="één nieuwe factuur aan een export toevoegen")
    nieuw.add_argument("--bestand", type=Path, required=True)
    nieuw.add_argument("--klant", default="Jansen Installatietechniek B.V.")
    return parser


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def nieuwe_factuur(bestand: Path, klant: str) -> str:
    """Append one fresh invoice to an export file; returns its number."""
    try:
        facturen = json.loads(bestand.read_text("utf-8")) if bestand.exists() else []
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as fout:
        raise Configuratiefout(f"{bestand} is geen leesbare factuurexport ({fout}); geef een "
                               "JSON-lijst met facturen of een nieuw bestand op.") from None
    if not isinstance(facturen, list):
        raise Configuratiefout(f"{bestand} bevat geen lijst met facturen; geef een nieuw "
                               "bestand op.")
    volgnummer = 1001 + len(facturen)
    nummer = f"BK-2026-{volgnummer:04d}"
    facturen.append({
        "factuurnummer": nummer, "datum": "2026-12-01", "klant": klant,
        "omschrijving": f"Onderhoudscontract {volgnummer}",
        "regels": [{"grootboek": "8000", "bedrag_excl": 100 + volgnummer % 97,
                    "btw": round((100 + volgnummer % 97) * 0.21, 2), "btw_soort": "hoog"}],
    })
    bestand.parent.mkdir(parents=True, exist_ok=True)
    bestand.write_text(json.dumps(facturen, indent=2, ensure_ascii=False), "utf-8")
    return nummer


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit code says how it went."""
    args = _parser().parse_args(argv)
    try:
        if args.opdracht == "serve":
            from .server import serve
            from .web import BoekhoudApp

            schema = "https" if args.certfile else "http"
            instellingen = laad(args.workdir, args.publieke_url or
                                f"{schema}://{args.host}:{args.port}")
            if not instellingen.wachtwoord:
                raise Configuratiefout("BOEKHOUD_WACHTWOORD ontbreekt; zet het wachtwoord van "
                                       f"het account {instellingen.gebruiker}.")
            signal.signal(signal.SIGTERM, _stop)
            serve(BoekhoudApp(instellingen, Opslag(instellingen.database)), args.host,
                  args.port, args.certfile, args.keyfile)
            return 0
        if args.opdracht == "sync":
            from .synchronisatie import synchroniseer

            instellingen = laad(args.workdir, "")
            return synchroniseer(instellingen, args.facturen,
                                 log=lambda regel: print(regel, flush=True))
        nummer = nieuwe_factuur(args.bestand, args.klant)
        print(f"Factuur {nummer} toegevoegd aan {args.bestand}.")
        return 0
    except Configuratiefout as fout:
        print(f"Configuratiefout: {fout}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error) as fout:
        # an unusable work folder or port: say which, never a traceback
        waar = getattr(args, "workdir", None) or getattr(args, "bestand", "")
        poort = f" of poort {args.port}" if args.opdracht == "serve" else ""
        print(f"Kan niet starten: {type(fout).__name__}: {fout}; controleer de map {waar}"
              f"{poort} (schrijfbaar, bestaat, niet in gebruik).", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
