"""Build the app's icon sprite from lucide-static (ISC licence), so no page loads icons from a CDN.

    npm pack lucide-static@1.62.0 && tar xzf lucide-static-1.62.0.tgz
    python scripts/build_icons.py package/icons

writes linli/core/static/linli/icons.svg with one <symbol id="NAME"> per icon below; templates use
`{% icon "NAME" %}` (core_tags). Add a name here and re-run to add an icon.
"""

import re
import sys
from pathlib import Path

VERSION = "1.62.0"
ICONS = {
    # our name: lucide's file
    "home": "house", "cases": "clipboard-list", "points": "star", "council": "messages-square",
    "more": "ellipsis", "people": "users", "chart": "chart-column", "property": "building-2",
    "audit": "shield-check", "shop": "shopping-bag", "place": "map-pin", "org": "flag", "me": "user-round",
    "bell": "bell", "done": "circle-check", "camera": "camera", "clock": "clock", "plus": "plus",
    "logout": "log-out", "grid": "layout-grid", "settings": "settings", "accept": "hand", "list": "list",
    "alert": "triangle-alert", "phone": "phone", "map": "map", "calendar": "calendar-days",
    "question": "circle-question-mark", "search": "search", "remove": "x",
}
OUT = Path(__file__).resolve().parent.parent / "linli" / "core" / "static" / "linli" / "icons.svg"


def main(folder: str) -> None:
    symbols = []
    for name, source in sorted(ICONS.items()):
        text = (Path(folder) / f"{source}.svg").read_text()
        body = re.search(r"<svg[^>]*>(.*)</svg>", text, re.S).group(1)
        body = re.sub(r"\s+", " ", body).strip()
        symbols.append(f'<symbol id="{name}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
                       f'stroke-width="2" stroke-linecap="round" stroke-linejoin="round">{body}</symbol>')
    OUT.write_text(
        f"<!-- Icons from lucide-static {VERSION} (ISC licence, Lucide Icons and Contributors); "
        "built by scripts/build_icons.py -->\n"
        '<svg xmlns="http://www.w3.org/2000/svg" style="display:none">\n' + "\n".join(symbols) + "\n</svg>\n")
    print(f"{len(symbols)} icons → {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
