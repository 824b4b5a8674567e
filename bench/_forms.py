"""Form parsing shared by the load benchmark and the tests (not a benchmark itself: the runner
skips `_` modules): the values a browser would submit, for every form on a page."""

from __future__ import annotations

from html.parser import HTMLParser


class Forms(HTMLParser):
    """The values a browser would submit, for every form on a page."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._select = None
        self._textarea = False

    @property
    def fields(self) -> list[tuple[str, str]]:
        return self.forms[-1]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append([])
        if not self.forms:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "y")))
            elif a.get("type") != "submit":
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = True
            self.fields.append((a.get("name"), ""))

    def handle_data(self, data):
        if self._textarea:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = False


def largest_form(html: str) -> list[tuple[str, str]]:
    """The submitted (name, value) pairs of the page's largest form."""
    parser = Forms()
    parser.feed(html)
    form = max(parser.forms, key=len)
    # the newline after <textarea> is not part of the value
    return [(k, v.removeprefix("\r\n").removeprefix("\n")) for k, v in form]
