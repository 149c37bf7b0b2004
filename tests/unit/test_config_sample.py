"""etc/albatross.conf.sample lists every option Albatross registers (regenerate it with
`oslo-config-generator --config-file etc/albatross-config-generator.conf`)."""
import pathlib
import re

from albatross.conf import list_opts

SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "etc" / "albatross.conf.sample"


def test_every_option_is_in_the_sample():
    text = SAMPLE.read_text()
    sections = dict(re.findall(r"^\[(\w+)\]\n(.*?)(?=^\[|\Z)", text, re.M | re.S))
    missing = [f"[{group}] {opt.name}" for group, opts in list_opts() for opt in opts
               if not re.search(rf"^#{re.escape(opt.name)} =", sections.get(group, ""), re.M)]
    assert not missing, f"regenerate etc/albatross.conf.sample: {missing}"
