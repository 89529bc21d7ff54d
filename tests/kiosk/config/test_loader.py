import json
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config.loader import ConfigError, load_settings


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_alone_are_valid(tmp_path: Path) -> None:
    loaded = load_settings(data_dir=tmp_path)
    assert loaded.settings.terminal.data_dir == tmp_path
    assert loaded.settings.platform.url == ""  # embedded platform by default


def test_layers_apply_in_order(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site.yaml",
        "terminal:\n  site_name: 邮政网点\n  site_type: post_office\nui:\n  announcement: site\n",
    )
    write(tmp_path / "data/bundle/current.yaml", "ui:\n  announcement: bundle\n")
    write(tmp_path / "data/local.yaml", "session:\n  idle_timeout_s: 120\n")
    loaded = load_settings(site_file=site, data_dir=tmp_path / "data")
    s = loaded.settings
    assert s.terminal.site_type == "post_office"
    assert s.terminal.site_name == "邮政网点"
    assert s.ui.announcement == "bundle"  # the pushed bundle beats the site file
    assert s.session.idle_timeout_s == 120  # local overrides beat everything
    assert s.session.warning_s == 25  # untouched keys keep their defaults
    assert loaded.origins["ui.announcement"].endswith("bundle/current.yaml")


def test_english_site_name_is_set_with_the_site(tmp_path: Path) -> None:
    demo = load_settings(data_dir=tmp_path / "demo").settings.terminal
    assert demo.site_name_en == ""  # no English name unless a site gives one
    # A site named in Chinese only (as enrolment writes it) has none either.
    write(tmp_path / "data/local.yaml", "terminal:\n  site_name: 邮政网点\n")
    alone = load_settings(data_dir=tmp_path / "data").settings.terminal
    assert (alone.site_name, alone.site_name_en) == ("邮政网点", "")
    site = write(
        tmp_path / "site.yaml",
        "terminal:\n  site_name: 和平街邮政所\n  site_name_en: Hepingjie Post Office\n",
    )
    both = load_settings(site_file=site, data_dir=tmp_path / "demo").settings.terminal
    assert (both.site_name, both.site_name_en) == ("和平街邮政所", "Hepingjie Post Office")
    # Enrolment writes the same Chinese name again: the English name stays.
    write(tmp_path / "enrolled/local.yaml", "terminal:\n  site_name: 和平街邮政所\n")
    enrolled = load_settings(site_file=site, data_dir=tmp_path / "enrolled").settings.terminal
    assert enrolled.site_name_en == "Hepingjie Post Office"
    # A later layer may set the English name alone.
    write(tmp_path / "other/local.yaml", "terminal:\n  site_name_en: Post Office\n")
    later = load_settings(site_file=site, data_dir=tmp_path / "other").settings.terminal
    assert (later.site_name, later.site_name_en) == ("和平街邮政所", "Post Office")


def test_a_bad_value_names_the_key_and_the_file(tmp_path: Path) -> None:
    site = write(tmp_path / "site.yaml", "terminal:\n  region_code: '11'\n")
    with pytest.raises(ConfigError) as err:
        load_settings(site_file=site, data_dir=tmp_path)
    assert "terminal.region_code" in str(err.value)
    assert str(site) in str(err.value)


def test_an_unknown_key_is_an_error(tmp_path: Path) -> None:
    local = write(tmp_path / "local.yaml", "ui:\n  colour: red\n")
    with pytest.raises(ConfigError) as err:
        load_settings(data_dir=tmp_path)
    assert "ui.colour" in str(err.value)
    assert str(local) in str(err.value)


def test_broken_yaml_is_reported_with_its_file(tmp_path: Path) -> None:
    site = write(tmp_path / "site.yaml", "terminal: [unclosed\n")
    with pytest.raises(ConfigError, match=r"site\.yaml: not valid YAML"):
        load_settings(site_file=site, data_dir=tmp_path)


def test_config_show_redacts_secrets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = write(
        tmp_path / "site.yaml", "platform:\n  url: http://127.0.0.1:9\n  api_key: s3cret-key\n"
    )
    assert main(["config", "show", "--json", "--site", str(site), "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert data["platform"]["api_key"] == "********"
    assert "s3cret-key" not in out
    assert main(["config", "show", "--site", str(site), "--data-dir", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "platform.url" in text and "site.yaml" in text and "s3cret-key" not in text


def test_config_show_fails_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = write(tmp_path / "site.yaml", "session:\n  warning_s: 1\n")
    assert main(["config", "show", "--site", str(site), "--data-dir", str(tmp_path)]) == 1
    assert "session.warning_s" in capsys.readouterr().err
