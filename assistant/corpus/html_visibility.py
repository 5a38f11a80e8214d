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
# Text pushed this far left (the old "image replacement" trick) is off the screen. Content
# moved off screen by position (the screen-reader-only pattern) is kept: screen readers read
# it to parents, and it is usually a short label such as "(opens in a new tab)".
OFF_SCREEN_PX = -500.0
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
    # None when an image or gradient is behind the text: its colour cannot be known.
    background: tuple[float, float, float] | None
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


# Properties that can make text invisible or set what it is seen against; rules setting
# nothing else (margins, borders, layout) are not matched at all.
_VISIBILITY_PROPERTIES = frozenset(
    {
        "display",
        "visibility",
        "opacity",
        "font-size",
        "color",
        "background",
        "background-color",
        "background-image",
        "text-indent",
        "height",
        "max-height",
        "overflow",
        "transform",
    }
)
_COMBINATOR = re.compile(r"\s*[>+~]\s*|\s+")


class _ElementIndex:
    """Elements by id, class and tag, so each selector is tried only on elements that could
    match its last compound (a page CSS file can hold thousands of rules)."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.all: list[Tag] = [tag for tag in soup.find_all(True) if isinstance(tag, Tag)]
        self.by_id: dict[str, list[Tag]] = {}
        self.by_class: dict[str, list[Tag]] = {}
        self.by_tag: dict[str, list[Tag]] = {}
        for tag in self.all:
            if tag.get("id"):
                self.by_id.setdefault(str(tag["id"]), []).append(tag)
            for name in tag.get("class") or []:
                self.by_class.setdefault(str(name), []).append(tag)
            self.by_tag.setdefault(tag.name, []).append(tag)

    def candidates(self, selector: str) -> list[Tag]:
        """Elements that could match: narrowed by the last compound's id, class or tag."""
        bare = re.sub(r"\([^()]*\)|\[[^\]]*\]", "", selector)
        last = _COMBINATOR.split(bare.strip())[-1]
        if found := re.search(r"#([\w-]+)", last):
            return self.by_id.get(found.group(1), [])
        if found := re.search(r"\.([\w-]+)", last):
            return self.by_class.get(found.group(1), [])
        if found := re.match(r"[a-zA-Z][\w-]*", last):
            return self.by_tag.get(found.group(0).lower(), [])
        return self.all


def _stylesheet_declarations(soup: BeautifulSoup) -> dict[int, list[_Declaration]]:
    """Declarations from the page's <style> blocks, keyed by id() of each matched element."""
    by_element: dict[int, list[_Declaration]] = {}
    index = _ElementIndex(soup)
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
                found = _declarations(
                    rule.content, _specificity(selector), order, f"page CSS rule '{selector}'"
                )
                found = [d for d in found if d.prop in _VISIBILITY_PROPERTIES]
                candidates = index.candidates(selector) if found else []
                if not candidates:
                    continue
                try:
                    compiled = soupsieve.compile(selector)
                except Exception:  # :hover, ::before and other selectors with no static meaning
                    continue
                for element in candidates:
                    if compiled.match(element):
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
    if size is not None and inherited.font_px < TINY_FONT_PX:  # inherited: this element's own
        return f"font-size {size.value} ({size.origin})"
    indent = style.get("text-indent")
    if indent is not None and (_font_px(indent.value, inherited.font_px) or 0) <= OFF_SCREEN_PX:
        return f"text-indent {indent.value} ({indent.origin})"
    overflow = style.get("overflow")
    for prop in ("height", "max-height"):
        declared = style.get(prop)
        if (
            declared is not None
            and re.fullmatch(r"0(?:px|em|rem|%)?", declared.value)
            and overflow is not None
            and overflow.value in ("hidden", "clip")
        ):
            return f"{prop}:0 with overflow:hidden ({declared.origin})"
    transform = style.get("transform")
    if transform is not None and re.search(r"scale[xy]?\(\s*0(?:\.0+)?\s*[,)]", transform.value):
        return f"transform {transform.value} ({transform.origin})"
    if _has_own_text(tag) and inherited.color[3] == 0:
        return "transparent text"
    if (
        _has_own_text(tag)
        and inherited.background is not None
        and _contrast(inherited.color[:3], inherited.background) < INVISIBLE_CONTRAST
    ):
        return "text in the background colour"
    return None


def _inherit(tag: Tag, style: dict[str, _Declaration], parent: _Inherited) -> _Inherited:
    color = parent.color
    if "color" in style:
        color = _colour(style["color"].value) or color
    background = parent.background
    images = [style[p].value for p in ("background", "background-image") if p in style]
    if any(re.search(r"url\(|gradient\(", value) for value in images):
        background = None  # white text on a photo is readable: no contrast check under it
    else:
        for prop in ("background-color", "background"):
            if prop in style:
                found = _background(style[prop].value)
                if found is not None and found[3] > 0:
                    background = found[:3]
                    break
    font_px = parent.font_px
    if "font-size" in style:
        declared = _font_px(style["font-size"].value, parent.font_px)
        font_px = font_px if declared is None else declared
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
