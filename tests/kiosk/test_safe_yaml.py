"""YAML anchors and aliases are refused everywhere the kiosk and the ops server read YAML:
a "billion laughs" document, a recursive one, and any alias or anchor at all; documents
without them parse exactly as the safe loader parses them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import safe_yaml
from kiosk.catalog import CatalogError
from kiosk.catalog.loader import load_file
from kiosk.config.loader import ConfigError, load_settings
from kiosk.journeys.intake_forms import load_form_file

LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
)
REFUSED = [
    pytest.param(LAUGHS, id="billion-laughs"),
    pytest.param("items: &a [*a]", id="recursive"),
    pytest.param("terminal: &a {x: *a}", id="recursive-mapping"),
    pytest.param("x: &name 1\ny: *name", id="scalar-alias"),
    pytest.param("x: &name 1", id="anchor-only"),
]


@pytest.mark.parametrize("text", REFUSED)
def test_refused_with_the_line(text: str) -> None:
    with pytest.raises(safe_yaml.AliasRefused) as raised:
        safe_yaml.load(text)
    assert raised.value.problem_mark is not None
    assert "anchors (&name) and aliases (*name) are not allowed" in str(raised.value)


@pytest.mark.parametrize("text", REFUSED)
def test_catalogue_file_is_named(tmp_path: Path, text: str) -> None:
    path = tmp_path / "pushed.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=r"^pushed\.yaml: line \d+: invalid YAML: anchors"):
        load_file(path)


@pytest.mark.parametrize("text", REFUSED)
def test_config_layer_is_named(tmp_path: Path, text: str) -> None:
    # The pushed bundle's YAML (data_dir/bundle/current.yaml) is read the same way.
    bundle = tmp_path / "data" / "bundle" / "current.yaml"
    bundle.parent.mkdir(parents=True)
    bundle.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"current\.yaml: not valid YAML: anchors"):
        load_settings(data_dir=tmp_path / "data")


def test_form_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "FORM.yaml"
    path.write_text(LAUGHS, encoding="utf-8")
    with pytest.raises(yaml.YAMLError):
        load_form_file(path)


def test_packaged_yaml_takes_the_fast_path() -> None:
    from kiosk import paths

    files = [*paths.CATALOG_DIR.glob("*.yaml"), *(paths.CONFIG_DIR / "forms").glob("*.yaml")]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "&" not in text and "*" not in text, path.name
    if yaml.__with_libyaml__:
        assert safe_yaml._FAST is yaml.CSafeLoader


_SCALARS = st.one_of(st.integers(), st.booleans(), st.text(max_size=12), st.none())
_DOCS = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(deadline=None)
@given(_DOCS)
def test_documents_without_anchors_parse_as_the_safe_loader_does(doc: object) -> None:
    text = yaml.safe_dump(doc, allow_unicode=True)
    assert safe_yaml.load(text) == yaml.safe_load(text)


@settings(deadline=None)
@given(_DOCS, st.data())
def test_any_alias_is_refused(doc: object, data: st.DataObject) -> None:
    # The same document, anchored at the top and referenced below: always refused.
    body = yaml.safe_dump({"x": doc}, allow_unicode=True, default_flow_style=True).strip()
    shared = data.draw(st.sampled_from(["[1, 2]", "{k: v}", "text", "3"]))
    text = f"{{a: &s {shared}, b: *s, c: {body}}}"
    with pytest.raises(safe_yaml.AliasRefused):
        safe_yaml.load(text)


def test_ops_cli_refuses_an_aliased_overlay_before_pushing(tmp_path: Path) -> None:
    import subprocess
    import sys

    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(LAUGHS, encoding="utf-8")
    ops = "import sys; from kiosk.cli import ops_main; sys.exit(ops_main())"
    push = ["config", "push", str(overlay), "--group", "all", "--server", "http://127.0.0.1:9"]
    done = subprocess.run(
        [sys.executable, "-c", ops, *push],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert f"{overlay}: anchors (&name) and aliases (*name) are not allowed" in done.stderr
