"""Evidence about the App Center listing: the logo file and URLs as they answer."""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import httpx
from PIL import Image, UnidentifiedImageError


@dataclass(frozen=True)
class LogoFacts:
    """What the logo file is, measured."""

    path: str
    exists: bool
    format: str | None  # "PNG", "JPEG", "SVG", or what Pillow reports
    width: float | None
    height: float | None
    problem: str | None = None  # why it could not be measured


@dataclass(frozen=True)
class UrlFacts:
    """How a URL answered when followed through its redirects."""

    url: str
    final_url: str | None
    status: int | None
    redirects: tuple[str, ...]
    error: str | None
    elapsed_s: float | None = None


_LENGTH = re.compile(r"^\s*([0-9.]+)\s*(px)?\s*$")


def _svg_size(path: Path) -> tuple[float | None, float | None, str | None]:
    root = ElementTree.parse(path).getroot()
    if not root.tag.endswith("svg"):
        return None, None, "the file is XML but not SVG"
    width, height = root.get("width"), root.get("height")
    if width and height and _LENGTH.match(width) and _LENGTH.match(height):
        return float(_LENGTH.match(width).group(1)), float(_LENGTH.match(height).group(1)), None  # type: ignore[union-attr]
    view_box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(view_box) == 4:
        return float(view_box[2]), float(view_box[3]), None
    return None, None, "the SVG has neither numeric width/height nor a viewBox"


def inspect_logo(path: Path) -> LogoFacts:
    """Measure the logo: format and size (SVG by its width/height or viewBox)."""
    if not path.is_file():
        return LogoFacts(str(path), False, None, None, None, "the file does not exist")
    if path.suffix.lower() == ".svg":
        try:
            width, height, problem = _svg_size(path)
        except (ElementTree.ParseError, ValueError) as error:
            return LogoFacts(str(path), True, None, None, None, f"unreadable SVG: {error}")
        return LogoFacts(str(path), True, "SVG", width, height, problem)
    try:
        with Image.open(path) as image:
            return LogoFacts(str(path), True, image.format, image.width, image.height)
    except (UnidentifiedImageError, OSError) as error:
        return LogoFacts(str(path), True, None, None, None, f"not an image: {error}")


def follow_url(url: str, *, ca_file: Path | None, timeout: float = 10.0) -> UrlFacts:
    """GET `url` following redirects; loopback or any host the user named in the listing."""
    verify: ssl.SSLContext | bool = True
    if ca_file is not None:
        verify = ssl.create_default_context(cafile=str(ca_file))
    try:
        with httpx.Client(verify=verify, timeout=timeout, follow_redirects=True) as client:
            response = client.get(url)
    except httpx.HTTPError as error:
        return UrlFacts(url, None, None, (), f"{type(error).__name__}: {error}")
    redirects = tuple(str(r.url) for r in response.history)
    return UrlFacts(
        url, str(response.url), response.status_code, redirects, None,
        response.elapsed.total_seconds(),
    )
