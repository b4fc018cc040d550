"""Pages and parts of pages rendered by synchronous Jinja.

SQLAdmin renders with async Jinja, where every call and loop in a template goes through Jinja's
awaiting runtime: on a list page that runtime was most of the CPU. What renders here has its
async values awaited beforehand (changelist/page.py; the menu's saved views), and renders from
the same templates folder, filters and globals: a whole list page, or a part of any page
inserted as markup (the menu, the top bar, the facets).
"""

import re
from collections.abc import Callable
from typing import Any

import jinja2
from jinja2 import nodes
from markupsafe import Markup

# Large enough for every template rendered this way.
_CACHE_SIZE = 100


class CompiledOnce(jinja2.BytecodeCache):
    """Templates compiled once per process, however many apps it makes: the tests make one per
    test, and each compiled every template it rendered again (130 ms for a first list page). One
    per mode: async and synchronous Jinja compile the same source differently."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        # The bucket checks the source's checksum: a changed template is compiled afresh.
        if (code := self.compiled.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


class FlushLeft(jinja2.BaseLoader):
    """Templates with the indentation of their lines dropped as they load, so pages carry none
    (a quarter of a list page's bytes was indentation). Costs nothing per request: it runs once
    per template, before compiling. Whitespace at a line's start never shows in HTML (it
    collapses into the line break before it) except inside <pre> and <textarea>, kept whole."""

    def __init__(self, loader: jinja2.BaseLoader) -> None:
        self.loader = loader

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = self.loader.get_source(environment, template)
        return flush_left(source), filename, uptodate

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()


_INDENT = re.compile(r"(?<=\n)[ \t]+")
_KEPT_WHOLE = re.compile(r"<(pre|textarea)\b.*?</\1\s*>", re.S | re.I)


def flush_left(source: str) -> str:
    pieces, start = [], 0
    for kept in _KEPT_WHOLE.finditer(source):
        pieces += [_INDENT.sub("", source[start : kept.start()]), kept.group(0)]
        start = kept.end()
    return "".join([*pieces, _INDENT.sub("", source[start:])]).lstrip(" \t")


@jinja2.pass_eval_context
def untranslated(eval_context: nodes.EvalContext, string: str, /, **variables: Any) -> str:
    """`_()` and `gettext()` in templates when no language is configured: what Jinja's
    null translations return (the text as markup, its variables escaped into it), without
    their two context-passing calls. Jinja copies the template's context for a function that
    takes it, inside every block or loop with variables of its own: list.html makes about 30
    such calls a page, and those copies were a twentieth of its CPU."""
    text = Markup(string) if eval_context.autoescape else string
    return text % variables


def install_untranslated(env: jinja2.Environment) -> None:
    """Templates' `_` and `gettext` as `untranslated` (only for null translations)."""
    env.globals["_"] = env.globals["gettext"] = untranslated


ASYNC_TEMPLATES = CompiledOnce()
SYNCHRONOUS_TEMPLATES = CompiledOnce()


class SynchronousPartials:
    def __init__(self, env: jinja2.Environment) -> None:
        # An overlay reads its parent's loader, filters and globals (added later too) and
        # compiles its own templates: the parent's cache holds async-compiled ones.
        # An async call left in such a template would create a coroutine nobody awaits: Python
        # warns, and the tests (warnings are errors there) fail.
        self.env = env.overlay(
            enable_async=False, cache_size=_CACHE_SIZE, bytecode_cache=SYNCHRONOUS_TEMPLATES
        )

    def __call__(self, name: str, **context: Any) -> Markup:
        return Markup(self.render(name, context))

    def render(self, name: str, context: dict[str, Any]) -> str:
        return self.env.get_template(name).render(context)
