"""The maintainer's script that writes ISTAT codes (run here on a made-up ISTAT list)."""

from __future__ import annotations

from coprog.territory.presets import build_bologna

PRESET = """\
#   ISTAT dataset: old
[[districts]]
code = "d"
name = "D"
province = "BO"
comuni = [
  { istat = "", name = "Bologna" },
  { istat = "999999", name = "Sasso Marconi" },
]
"""
ISTAT = {("BO", "Bologna"): "037006", ("BO", "Sasso Marconi"): "037057", ("BO", "Imola"): "037032"}


def test_codes_and_header_are_rewritten(tmp_path, capsys):
    path = tmp_path / "example.toml"
    path.write_text(PRESET, encoding="utf-8")
    text, problems = build_bologna.rewrite(path, ISTAT, None, "#   ISTAT dataset: new")
    assert problems == []
    assert '{ istat = "037006", name = "Bologna" }' in text
    assert '{ istat = "037057", name = "Sasso Marconi" }' in text
    assert text.startswith("#   ISTAT dataset: new\n")
    assert "BO: 1 comuni not in the preset: Imola" in capsys.readouterr().out


def test_unknown_comune_and_wrong_count_are_problems(tmp_path):
    path = tmp_path / "ausl-bologna.toml"
    path.write_text(PRESET.replace("Sasso Marconi", "Porretta Terme"), encoding="utf-8")
    _text, problems = build_bologna.rewrite(path, ISTAT, None, "")
    assert problems == [
        "ausl-bologna.toml: Porretta Terme (BO) is not a current comune",
        "ausl-bologna.toml: 2 comuni, expected 45",
    ]


def test_former_comuni_must_be_gone():
    istat = {**ISTAT, ("BO", "Valsamoggia"): "037061", ("BO", "Crespellano"): "999998"}
    problems = build_bologna.check_mergers(istat)
    assert "Crespellano is still in the ISTAT list" in problems
    assert "Alto Reno Terme is not in the ISTAT list" in problems
