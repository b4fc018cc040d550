"""What the panel takes from SQLAdmin beyond its public API, pinned: every private name it uses
(each with why no public way exists) and every upstream template it copies or extends. An upgrade
that renames one, or changes a template we copied, fails here naming it, before staff meet it."""

import hashlib
import importlib
import re
from pathlib import Path

import pytest
import sqladmin

PACKAGE = Path(__file__).resolve().parents[2] / "admin_app"
UPSTREAM = Path(sqladmin.__file__).parent
UPSTREAM_TEMPLATES = UPSTREAM / "templates" / "sqladmin"
OUR_TEMPLATES = PACKAGE / "templates" / "sqladmin"

# Private SQLAdmin name -> why the panel uses it (no public way exists at 0.32).
PRIVATE_NAMES = {
    "_find_model_view": "the one lookup of a view by the identity in a URL",
    "_build_url_for": "the builder of a row's links, made once per page (changelist/links.py)",
    "_list": "the list permission check the list route runs",
    "_list_prop_names": "the list's columns, for the column chooser",
    "_stmt_by_identifier": "the one key coercion: a malformed key is a 404 (core/strict.py)",
    "_url_for_action": "the link of a custom action, in list.html",
    "_custom_actions_confirmation": "a custom action's confirmation text, in list.html",
    "_import": "the import permission check (imports/pages.py)",
    "_form_ajax_refs": "the pickers' loaders, replaced by literal ones (forms/pickers.py)",
    "_admin_ref": "a view's admin, whose caches it reads",
    "_can_delete_any": "the delete permission SQLAdmin's list and dialog use",
    "_menu": "the sidebar's entries, for the palette and the sidebar",
    "_search_fields": "the searchable columns, for literal search",
    "_run_query": "the list's runner, where LIMIT and OFFSET are readable (deep pages)",
    "_list_relations": "the list's relations SQLAdmin loads by a second statement (paging.py)",
    "_relation_names": "which list columns are relations, for the rows rendered synchronously",
    "_identity_for_object": "another model's view identity, memoised per class",
    "_column_labels": "column labels, in list.html and the column chooser",
    "_visible_custom_actions": "the actions a staff member may run, in list.html",
    "_form_edit_rules": "the edit form's rules, for a cell saved as the form saves",
    "_mapper": "a column's type, for the cell editor",
    "_denormalize_wtform_data": "form data to model values, as SQLAdmin's edit does (cells)",
    "_export": "the export permission check",
    "_run_arbitrary_query": "the filters' lookups, awaited before the synchronous page",
    "_non_link_related_fields": "related columns shown as text, in the synchronous rows",
    "_url_for_delete": "a row's delete link, built once per page",
    "_get_default_sort": "the default sort's direction, for the stable tie-break",
    "_sort_fields": "the sortable columns, in list.html",
    "_ajax_relation_names": "the relations behind pickers, joined to an edit's row (one_read.py)",
    "_form_prop_names": "the edit form's fields, read from the row as SQLAdmin does (one_read.py)",
}

# Private SQLAdmin module constants -> why the panel reads them.
PRIVATE_CONSTANTS = {
    ("sqladmin._types", "_UNSET"): "a filter's 'no default' marker (changelist/filters.py)",
    ("sqladmin.authorization", "_GRANTS_STATE_ATTR"): (
        "where a request's grants are kept: the sidebar's markup is kept by them (site/sidebar.py)"
    ),
}

# Upstream template -> its SHA-256 in the SQLAdmin release we copied or extended it from.
COPIED_TEMPLATES = {
    "_macros.html": "31efad250ae651e1bf837b626c91ffc5d25c7c48ef421eb033c3b0d5f8d1529b",
    "base.html": "160cbde24a2111f847816128497ef3eca2e147c3c24486b2baca948ed0a96a8e",
    "create.html": "530935731c2db15abd2f6951f08b7872474f6e57852b1fc347cc1802a4e6a7ba",
    "edit.html": "ab92794731459e9dd79723b9456ae76e311616e303c86782a85c8d2f1f1909b9",
    "error.html": "81bfb5ef648cb902a772fd1013c0d07505de33e7f0ee85c2d0b3cb3b789ad083",
    "filters/lookup_filter.html": (
        "e3a07e18acd1d1d4d2a89a6471b51a11b4d9b0c5167c7927e61af09c9856ebb8"
    ),
    "flash.html": "fb223ad041f0bd44b9b42a92eabf0e2eb0a8283cc7046ba2a9617ae9c9e67c22",
    "layout.html": "bffc98569593a14784ccbeee3360a693f7c7b50cb7f00f87e472e353df499911",
    "list.html": "173d8332d56c3623df6da1f5e009987245a2f56153a1564fa033d34b27e4e4c9",
    "login.html": "e9f47d4e78778ce892c3aecdfb12931f6ff20ba6d67949413dc0bef3a1faec41",
}


def _upstream_source() -> str:
    return "\n".join(path.read_text() for path in sorted(UPSTREAM.rglob("*.py")))


def _defined_privately(source: str) -> set[str]:
    """Private names SQLAdmin defines: methods, and attributes set on a view or admin."""
    defined = set(re.findall(r"def (_[a-z]\w*)\(", source))
    defined |= set(re.findall(r"\b(?:self|cls)\.(_[a-z]\w*)\s*[:=]", source))
    defined |= set(re.findall(r"^\s+(_[a-z]\w*)\s*[:=]", source, re.M))
    return defined


def _our_files() -> list[Path]:
    return [*PACKAGE.rglob("*.py"), *(PACKAGE / "templates").rglob("*.html")]


def test_every_private_sqladmin_name_we_use_is_pinned_with_its_reason() -> None:
    defined = _defined_privately(_upstream_source())
    used: dict[str, set[str]] = {}
    for path in _our_files():
        for name in re.findall(r"\.(_[a-z]\w*)\b", path.read_text()):
            if name in defined:
                used.setdefault(name, set()).add(str(path.relative_to(PACKAGE)))
    unpinned = {name: sorted(files) for name, files in used.items() if name not in PRIVATE_NAMES}
    assert unpinned == {}, "a private SQLAdmin name is used without a reason here"
    unused = sorted(set(PRIVATE_NAMES) - set(used))
    assert unused == [], "pinned names the panel no longer uses: take them out"


@pytest.mark.parametrize("name", sorted(PRIVATE_NAMES))
def test_each_pinned_private_name_still_exists_upstream(name: str) -> None:
    assert name in _defined_privately(_upstream_source()), (
        f"SQLAdmin no longer defines {name} ({PRIVATE_NAMES[name]}): find where the panel uses "
        "it and follow the upgrade"
    )


@pytest.mark.parametrize(("module", "name"), sorted(PRIVATE_CONSTANTS))
def test_each_pinned_private_constant_still_exists_upstream(module: str, name: str) -> None:
    assert hasattr(importlib.import_module(module), name), (
        f"SQLAdmin no longer defines {module}.{name} ({PRIVATE_CONSTANTS[module, name]})"
    )


def test_every_private_sqladmin_constant_we_import_is_pinned() -> None:
    imported = {
        (module, name.strip())
        for path in _our_files()
        for module, names in re.findall(r"from (sqladmin[\w.]*) import ([^\n]+)", path.read_text())
        for name in names.split(",")
        if name.strip().startswith("_")
    }
    assert imported == set(PRIVATE_CONSTANTS)


@pytest.mark.parametrize("name", sorted(COPIED_TEMPLATES))
def test_each_upstream_template_we_copied_is_unchanged(name: str) -> None:
    upstream = UPSTREAM_TEMPLATES / name
    assert upstream.exists(), f"SQLAdmin no longer ships {name}: compare ours with its successor"
    digest = hashlib.sha256(upstream.read_bytes()).hexdigest()
    assert digest == COPIED_TEMPLATES[name], (
        f"SQLAdmin changed {name}: carry its changes into admin_app/templates/sqladmin/{name}, "
        "then pin the new hash"
    )


def test_every_template_we_override_is_pinned() -> None:
    ours = {str(path.relative_to(OUR_TEMPLATES)) for path in OUR_TEMPLATES.rglob("*.html")}
    overriding = {name for name in ours if (UPSTREAM_TEMPLATES / name).exists()}
    assert overriding == set(COPIED_TEMPLATES)
