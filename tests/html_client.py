"""A plain HTML client for tests: it reads forms and links as served and sends what a browser
without scripts would (no header token, only the fields the page holds)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

from fastapi.testclient import TestClient
from httpx2 import Response


@dataclass
class Form:
    action: str
    method: str
    id: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)
    submits: list[tuple[str, str]] = field(default_factory=list)
    selects: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)

    def values(self, submit: str | None = None, **changes: str) -> list[tuple[str, str]]:
        """What the browser sends: each field's served value (a select's selected options),
        the `changes` typed over them, and the chosen submit button."""
        sent = [(name, changes.pop(name, value)) for name, value in self.fields]
        for name, options in self.selects.items():
            chosen = [value for value, selected in options if selected]
            sent += [(name, changes.pop(name))] if name in changes else [(name, v) for v in chosen]
        sent += list(changes.items())
        sent += [(name, value) for name, value in self.submits if value == submit]
        return sent


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.links: list[tuple[str, str]] = []
        self._select: str | None = None
        self._link: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            method = a.get("method", "get").lower()
            self.forms.append(Form(a.get("action", ""), method, a.get("id", "")))
        elif tag == "a" and "href" in a:
            self._link = a["href"]
        elif self.forms and tag == "input" and "name" in a:
            kind = a.get("type", "text")
            if kind == "submit":
                self.forms[-1].submits.append((a["name"], a.get("value", "")))
            elif kind not in ("checkbox", "radio") or "checked" in a:
                self.forms[-1].fields.append((a["name"], a.get("value", "")))
        elif self.forms and tag == "select" and "name" in a:
            self._select = a["name"]
            self.forms[-1].selects[self._select] = []
        elif self.forms and tag == "option" and self._select is not None:
            self.forms[-1].selects[self._select].append((a.get("value", ""), "selected" in a))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "a":
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._link is not None and data.strip():
            self.links.append((data.strip(), self._link))


def parse(response: Response) -> _FormParser:
    parser = _FormParser()
    parser.feed(response.text)
    return parser


def form_with_action(response: Response, fragment: str) -> Form:
    return next(form for form in parse(response).forms if fragment in form.action)


def form_with_id(response: Response, form_id: str) -> Form:
    return next(form for form in parse(response).forms if form.id == form_id)


def link(response: Response, text: str) -> str:
    """The href of the first link whose text contains `text` (and that goes somewhere)."""
    href = next(href for label, href in parse(response).links if text in label and href != "#")
    return urljoin(str(response.url), href)


def submit(
    client: TestClient, page: Response, form: Form, values: list[tuple[str, str]]
) -> Response:
    action = urljoin(str(page.url), form.action or str(page.url))
    grouped: dict[str, list[str]] = {}
    for name, value in values:
        grouped.setdefault(name, []).append(value)
    if form.method == "post":
        return client.post(action, data=grouped, follow_redirects=False)
    return client.get(action, params=grouped, follow_redirects=False)
