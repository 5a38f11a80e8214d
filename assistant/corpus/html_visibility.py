"""Text a reader of a web page never sees, found and removed before anything is indexed.

A saved council page can carry paragraphs hidden by an inline style, by the page's own <style>
rules, by the `hidden` / `aria-hidden` attributes, by a tiny font or by text drawn in the page's
background colour. Indexed, such text would be quoted to parents as fact. The CSS is read with
tinycss2 and selectors are matched with soupsieve (BeautifulSoup's own selector engine); the
small cascade below (specificity, `!important`, inheritance of colour, size and visibility) is
ours because no maintained Python library computes styles for a static HTML document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import soupsieve
import tinycss2
import tinycss2.color3
from bs4 import BeautifulSoup, NavigableString, Tag

from assistant.corpus.documents import DroppedText

# Text smaller than this (in CSS pixels) cannot be read on screen.
TINY_FONT_PX = 3.0
# Contrast ratio (WCAG) under which text is treated as drawn in the background colour.
INVISIBLE_CONTRAST = 1.25
_DEFAULT_FONT_PX = 16.0
_WHITE = (1.0, 1.0, 1.0)
_BLACK = (0.0, 0.0, 0.0)
_SCREEN_MEDIA = {"", "all", "screen"}


@dataclass(frozen=True)
class _Declaration:
    prop: str
    value: str
    important: bool
    specificity: tuple[int, int, int, int]
    order: int
    origin: str  # "inline style" or "page CSS rule '<selector>'"


@dataclass(frozen=True)
class _Inherited:
    color: tuple[float, float, float, float]
    background: tuple[float, float, float]
    font_px: float


def _specificity(selector: str) -> tuple[int, int, int, int]:
    """CSS specificity of one selector (ids, classes/attributes/pseudo-classes, types)."""
    bare = re.sub(r"\"[^\"]*\"|'[^']*'", "", selector)
    ids = len(re.findall(r"#[\w-]+", bare))
    classes = len(re.findall(r"\.[\w-]+|\[[^\]]*\]|:(?!:)[\w-]+", bare))
    types = len(re.findall(r"(?:^|[\s>+~(])([a-zA-Z][\w-]*)", bare))
    return (0, ids, classes, types)


def _split_selectors(prelude: str) -> list[str]:
    """A selector list split on top-level commas (commas inside :is(...) stay)."""
    parts, depth, current = [], 0, ""
    for char in prelude:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return [part for part in parts if part]


def _declarations(
    tokens: list[tinycss2.ast.Node] | str,
    specificity: tuple[int, int, int, int],
    order: int,
    origin: str,
) -> list[_Declaration]:
    found = []
    for item in tinycss2.parse_declaration_list(tokens, skip_comments=True, skip_whitespace=True):
        if item.type != "declaration":
            continue
        value = tinycss2.serialize(item.value).strip().lower()
        found.append(
            _Declaration(item.lower_name, value, item.important, specificity, order, origin)
        )
    return found


def _screen_rules(nodes: list[tinycss2.ast.Node]) -> Iterator[tinycss2.ast.QualifiedRule]:
    """Style rules that apply on screen: top level, or inside @media all/screen."""
    for node in nodes:
        if node.type == "qualified-rule":
            yield node
        elif node.type == "at-rule" and node.lower_at_keyword == "media" and node.content:
            media = tinycss2.serialize(node.prelude).strip().lower()
            if media in _SCREEN_MEDIA:
                yield from _screen_rules(tinycss2.parse_rule_list(node.content, True, True))


def _stylesheet_declarations(soup: BeautifulSoup) -> dict[int, list[_Declaration]]:
    """Declarations from the page's <style> blocks, keyed by id() of each matched element."""
    by_element: dict[int, list[_Declaration]] = {}
    order = 0
    for style in soup.find_all("style"):
        media = str(style.get("media") or "").strip().lower()
        if media not in _SCREEN_MEDIA:
            continue
        nodes = tinycss2.parse_stylesheet(
            style.get_text(), skip_comments=True, skip_whitespace=True
        )
        for rule in _screen_rules(nodes):
            prelude = tinycss2.serialize(rule.prelude).strip()
            for selector in _split_selectors(prelude):
                order += 1
                try:
                    matched = soupsieve.select(selector, soup)
                except Exception:  # :hover, ::before and other selectors with no static meaning
                    continue
                if not matched:
                    continue
                found = _declarations(
                    rule.content, _specificity(selector), order, f"page CSS rule '{selector}'"
                )
                for element in matched:
                    by_element.setdefault(id(element), []).extend(found)
    return by_element


def _computed(tag: Tag, sheet: dict[int, list[_Declaration]]) -> dict[str, _Declaration]:
    """The winning declaration per property: stylesheet by importance, specificity and order,
    with the inline style attribute above any non-important rule."""
    found = list(sheet.get(id(tag), []))
    inline = tag.get("style")
    if inline:
        found.extend(_declarations(str(inline), (1, 0, 0, 0), 10**9, "inline style"))
    found.sort(key=lambda d: (d.important, d.specificity, d.order))
    return {d.prop: d for d in found}


def _colour(value: str) -> tuple[float, float, float, float] | None:
    parsed = tinycss2.color3.parse_color(value)
    if parsed is None or isinstance(parsed, str):  # unknown, or "currentColor"
        return None
    return (parsed.red, parsed.green, parsed.blue, parsed.alpha)


def _background(value: str) -> tuple[float, float, float, float] | None:
    for token in value.split():
        found = _colour(token)
        if found is not None:
            return found
    return _colour(value)


def _font_px(value: str, inherited: float) -> float | None:
    match = re.fullmatch(r"(-?\d*\.?\d+)\s*(px|pt|em|rem|%)?", value.strip())
    if match is None:
        return None
    number, unit = float(match.group(1)), match.group(2) or "px"
    scale = {"px": 1.0, "pt": 4 / 3, "em": inherited, "rem": _DEFAULT_FONT_PX, "%": inherited / 100}
    return number * scale[unit]


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _has_own_text(tag: Tag) -> bool:
    return any(isinstance(c, NavigableString) and c.strip() for c in tag.children)


def _hidden_reason(tag: Tag, style: dict[str, _Declaration], inherited: _Inherited) -> str | None:
    """Why an element (and everything in it) is invisible, or None."""
    if tag.has_attr("hidden"):
        return "hidden attribute"
    if str(tag.get("aria-hidden") or "").lower() == "true":
        return "aria-hidden"
    checks = (
        ("display", lambda v: v == "none", "display:none"),
        ("visibility", lambda v: v in ("hidden", "collapse"), "visibility:hidden"),
        ("opacity", lambda v: v in ("0", "0.0", "0%"), "opacity:0"),
    )
    for prop, hides, label in checks:
        declared = style.get(prop)
        if declared is not None and hides(declared.value):
            return f"{label} ({declared.origin})"
    size = style.get("font-size")
    if size is not None:
        px = _font_px(size.value, inherited.font_px)
        if px is not None and px < TINY_FONT_PX:
            return f"font-size {size.value} ({size.origin})"
    if _has_own_text(tag) and inherited.color[3] == 0:
        return "transparent text"
    if (
        _has_own_text(tag)
        and _contrast(inherited.color[:3], inherited.background) < INVISIBLE_CONTRAST
    ):
        return "text in the background colour"
    return None


def _inherit(tag: Tag, style: dict[str, _Declaration], parent: _Inherited) -> _Inherited:
    color = parent.color
    if "color" in style:
        color = _colour(style["color"].value) or color
    background = parent.background
    for prop in ("background-color", "background"):
        if prop in style:
            found = _background(style[prop].value)
            if found is not None and found[3] > 0:
                background = found[:3]
                break
    font_px = parent.font_px
    if "font-size" in style:
        font_px = _font_px(style["font-size"].value, parent.font_px) or font_px
    return _Inherited(color, background, font_px)


def _short(text: str, limit: int = 90) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def remove_hidden(soup: BeautifulSoup) -> list[DroppedText]:
    """Remove every element a reader would not see; return the text removed and why.

    Call before <style> elements are dropped (their rules are read here). Elements with no
    text are removed without a report entry.
    """
    sheet = _stylesheet_declarations(soup)
    dropped: list[DroppedText] = []
    root = _Inherited((*_BLACK, 1.0), _WHITE, _DEFAULT_FONT_PX)

    def visit(tag: Tag, inherited: _Inherited) -> None:
        for child in list(tag.children):
            if not isinstance(child, Tag) or child.name in ("style", "script", "head"):
                continue
            style = _computed(child, sheet)
            own = _inherit(child, style, inherited)
            reason = _hidden_reason(child, style, own)
            if reason is not None:
                text = _short(child.get_text(" "))
                if text:
                    dropped.append(DroppedText(text, reason))
                child.decompose()
                continue
            visit(child, own)

    visit(soup, root)
    return dropped
