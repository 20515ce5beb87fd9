"""Reads an event page as a search engine's extractor does, for server/openreferral_event_page_test.go.

Usage: extract_event_page.py PAGE.html BASE_URL

Prints JSON: {"jsonld": the page's JSON-LD items as extruct reads them, "title" and "h1":
the text of the page's <title> and first <h1> as lxml parses them, "scripts": how many
<script> elements the parser found}.
"""
import json
import pathlib
import sys

import extruct
import lxml.html


def main():
    html = pathlib.Path(sys.argv[1]).read_text(encoding="utf-8")
    data = extruct.extract(html, base_url=sys.argv[2], syntaxes=["json-ld"], uniform=False)
    doc = lxml.html.fromstring(html)
    h1 = doc.findall(".//h1")
    print(json.dumps({
        "jsonld": data["json-ld"],
        "title": doc.findtext(".//title"),
        "h1": h1[0].text_content() if h1 else None,
        "scripts": len(doc.findall(".//script")),
    }))


if __name__ == "__main__":
    main()
