"""Parts of a page rendered by synchronous Jinja.

SQLAdmin renders pages with async Jinja, where every call and loop in a template goes through
Jinja's awaiting runtime: on a list page that runtime was most of the CPU. A part whose values
are all at hand (the rows once gathered, the facets) renders here instead, from the same
templates folder, filters and globals, and is inserted into the page as markup.
"""

from typing import Any

import jinja2
from markupsafe import Markup

# Large enough for every template rendered this way.
_CACHE_SIZE = 50


class SynchronousPartials:
    def __init__(self, env: jinja2.Environment) -> None:
        # An overlay reads its parent's loader, filters and globals (added later too) and
        # compiles its own templates: the parent's cache holds async-compiled ones.
        self.env = env.overlay(enable_async=False, cache_size=_CACHE_SIZE)

    def __call__(self, name: str, **context: Any) -> Markup:
        return Markup(self.env.get_template(name).render(**context))
