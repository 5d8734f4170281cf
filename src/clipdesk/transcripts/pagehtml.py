"""The text of a clip page saved from a site as HTML, in the form `pagetext.parse_page` reads.

Django-free. BeautifulSoup with the standard library's html.parser is forgiving of the markup of
twenty years of layouts (unclosed paragraphs, stray tags), and fast enough: `make bench` measures it.
Each block (paragraph, heading, list item, table cell, `<br>`) becomes a line; inline markup
(`<b>Host:</b> "..."`) stays within its line. Scripts, styles, navigation, forms and footers are
site furniture and are dropped. The page's address comes from its canonical link (or og:url), and a
link to a separate transcript page (an address ending in /transcript) is reported so the archive
importer can pair the two.
"""

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

_SKIP = {
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "form",
    "button",
    "select",
    "svg",
    "iframe",
    "footer",
    "aside",
    "head",
}
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "td",
    "th",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "hr",
    "address",
}
_TRANSCRIPT_HREF = re.compile(r"/transcript/?(?:[?#].*)?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class HtmlPage:
    text: str
    address: str | None  # the page's own address, if it names one
    transcript_address: str | None  # the address of its separate transcript page, if it links to one


def looks_like_html(text: str) -> bool:
    head = text[:2000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head)


def _walk(node: Tag, out: list[str]) -> None:
    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            out.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name in _SKIP or child.get("hidden") is not None or child.get("aria-hidden") == "true":
            continue
        if name == "br":
            out.append("\n")
        elif name in _BLOCK:
            out.append("\n")
            _walk(child, out)
            out.append("\n")
        else:
            _walk(child, out)


def _address(soup: BeautifulSoup) -> str | None:
    link = soup.find("link", rel="canonical")
    if link and link.get("href"):
        return link["href"].strip()
    meta = soup.find("meta", property="og:url")
    if meta and meta.get("content"):
        return meta["content"].strip()
    return None


def read_html(html: str) -> HtmlPage:
    soup = BeautifulSoup(html, "html.parser")
    address = _address(soup)
    transcript = None
    for a in soup.find_all("a", href=True):
        if _TRANSCRIPT_HREF.search(a["href"]):
            transcript = urljoin(address or "", a["href"].strip())
            break
    root = soup.find("main") or soup.find("article") or soup.body or soup
    # A page date printed outside <main> (in the site's header) still belongs to the page.
    out: list[str] = []
    if root is not soup and root is not soup.body:
        for time in soup.find_all("time"):
            if root not in time.parents:
                out.extend([time.get_text(" ", strip=True), "\n"])
    _walk(root, out)
    lines = ("".join(out)).split("\n")
    text = "\n".join(" ".join(line.split()) for line in lines)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return HtmlPage(text=text, address=address, transcript_address=transcript)
