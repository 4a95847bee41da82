"""The README documents every setting and the two commands."""

from __future__ import annotations

from server.config import ROOT, Settings

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme() -> None:
    prefix = Settings.model_config.get("env_prefix", "")
    for name in Settings.model_fields:
        variable = f"`{prefix}{name.upper()}`"
        assert variable in README, f"{variable} is missing from the README settings table"


def test_readme_names_the_two_commands() -> None:
    assert "scripts/serve" in README and "scripts/test" in README
    assert "not medical advice" in README


def test_the_layout_names_every_server_module_and_package() -> None:
    """README's layout is the house as it is: each module and package of server/ is named."""
    layout = README.split("## Layout", 1)[1]
    server = ROOT / "server"
    names = [p.name for p in server.glob("*.py") if p.name != "__init__.py"]
    names += [f"{p.name}/" for p in server.iterdir() if (p / "__init__.py").is_file()]
    missing = [name for name in names if name not in layout]
    assert not missing, f"README layout does not name: {missing}"
