"""Templates HR edits are rendered in a sandboxed, autoescaping Jinja environment: a
template reaching for Python internals fails with one clear line; a value holding Word
XML is written as text and cannot inject markup. Tested through the forms engineer's
``addin.office.docx.forms.render_docx`` (the function every form and letter goes through) and the
``medpay render framework --template`` command."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest

from addin.core.errors import InputError
from addin.office.docx.forms import render_docx
from addin.office.docx.safe import render_template

from ..conftest import BES_FRAMEWORK, run_cli


def template(tmp_path: Path, *paragraphs: str, name: str = "t.docx") -> Path:
    d = docx.Document()
    for text in paragraphs:
        d.add_paragraph(text)
    p = tmp_path / name
    d.save(p)
    return p


ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ name.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].system('touch /tmp/pwned') }}",
    "{{ name.format.__self__.__class__ }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
]


@pytest.mark.parametrize("body", ESCAPES)
def test_a_template_reaching_for_python_internals_fails_in_one_clear_line(tmp_path, body):
    t = template(tmp_path, "Dear {{ name }},", body)
    with pytest.raises(InputError) as err:
        render_docx(t, {"name": "Ann"})
    line = err.value.one_line()
    assert line.startswith(f"{t}: template ") and "\n" not in line
    assert ("tries to reach Python internals" in line or "medpay does not supply" in line), line
    assert not Path("/tmp/pwned").exists()


def test_the_classic_escape_names_the_sandbox(tmp_path):
    t = template(tmp_path, "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(InputError) as err:
        render_template(t, {})
    assert err.value.one_line() == (
        f"{t}: template tries to reach Python internals, which templates may not do (access to "
        "attribute '__class__' of 'str' object is unsafe.) (use only the fields the docs list "
        "(docs/medpay-team.md: forms and letters; docs/hr-officer.md: framework) in {{ ... }})")


def test_the_template_cannot_change_the_data_it_is_given(tmp_path):
    t = template(tmp_path, "{{ names.append('x') }}{{ names|length }}")
    names = ["Ann"]
    with pytest.raises(InputError, match="tries to reach Python internals"):
        render_template(t, {"names": names})
    assert names == ["Ann"]


@pytest.mark.parametrize(
    "value",
    ['</w:t></w:r></w:p><w:p><w:r><w:t>INJECTED', "Tom & Jerry <b>", '"quoted" \'single\'',
     "{{ 7*7 }}", "=HYPERLINK(\"http://x\",\"click\")"],
)
def test_values_are_escaped_into_word_xml_as_text(tmp_path, value):
    t = template(tmp_path, "Name: {{ name }}")
    data = render_docx(t, {"name": value})
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert paragraphs == [f"Name: {value}"]  # one paragraph, the value verbatim, not evaluated
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "<w:t>INJECTED" not in z.read("word/document.xml").decode()


def test_include_of_a_file_on_disk_is_refused(tmp_path):
    t = template(tmp_path, "{% include '/etc/passwd' %}")
    with pytest.raises(InputError) as err:
        render_template(t, {})
    assert err.value.one_line() == (
        f"{t}: template tries to include another file ('/etc/passwd'), which templates may not do "
        "(remove the {% include %}, {% import %} or {% extends %} tag)")


def test_syntax_error_is_one_line(tmp_path):
    t = template(tmp_path, "{{ name ")
    with pytest.raises(InputError) as err:
        render_template(t, {"name": "x"})
    assert err.value.one_line() == (
        f"{t}: template has a Jinja syntax error: unexpected '/' "
        "(check the {{ ... }} and {% ... %} tags in the template)")


def test_render_command_with_an_escaping_template_gives_one_line_exit_2(tmp_path):
    t = template(tmp_path, "{{ ''.__class__.__mro__[1].__subclasses__() }}", name="framework.docx")
    out = tmp_path / "fw.docx"
    r = run_cli("render", "framework", BES_FRAMEWORK, "--template", t, "--out", out)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        f"medpay: {t}: template tries to reach Python internals, which templates may not do (access "
        "to attribute '__class__' of 'str' object is unsafe.) (use only the fields the docs list "
        "(docs/medpay-team.md: forms and letters; docs/hr-officer.md: framework) in {{ ... }})"]
    assert not out.exists()
