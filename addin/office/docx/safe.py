"""Opening untrusted Word documents and rendering HR-edited templates safely.

* :func:`open_docx` is the ONE way medpay opens a .docx it did not write (filled forms
  sent back by managers, templates HR edits): the same byte-level checks as workbooks
  (:func:`addin.office.xlsx.safe.read_ooxml_bytes`: renamed/old/encrypted files, truncation, zip
  bombs, and any ``<!DOCTYPE``/``<!ENTITY`` in any part refused before parsing), then
  python-docx, whose lxml parser does not resolve entities and never uses the network.
* :func:`sandboxed_env` is the Jinja environment for templates: sandboxed (no access to
  Python internals such as ``''.__class__.__mro__``), immutable (a template cannot change
  the data it is given) and autoescaping, so a value such as ``</w:t><w:t>`` or ``&`` is
  written into Word XML as text and cannot break or inject markup.
* :func:`render_template` renders a docxtpl template with that environment and turns
  every template error into one :class:`InputError` line naming the template.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any

from addin.core.errors import InputError
from addin.office.xlsx.safe import LIMITS, Limits, read_ooxml_bytes

_WORD_HINT = "open it in Word and save it as a Word Document (.docx)"


def read_docx_bytes(path: str | Path, *, limits: Limits = LIMITS) -> bytes:
    """The bytes of a .docx after every safety check (see :mod:`addin.office.xlsx.safe`)."""
    return read_ooxml_bytes(path, kind="document", limits=limits)


@functools.cache
def _check_lxml_parser() -> None:
    """python-docx must parse with entity resolution off (it does since 0.8): proven
    once per process by parsing an internal entity and checking it stays unexpanded."""
    from docx.oxml.parser import oxml_parser
    from lxml import etree

    probe = b'<!DOCTYPE x [<!ENTITY e "EXPANDED">]><x>&e;</x>'
    if "EXPANDED" in "".join(etree.fromstring(probe, oxml_parser).itertext()):  # pragma: no cover
        raise RuntimeError("python-docx parser resolves XML entities; refusing to parse untrusted Word files")


def open_docx(path: str | Path, *, limits: Limits = LIMITS):
    """Open an untrusted .docx with python-docx after the safety checks.

    The file is read once into memory, so it is never locked, moved or modified.
    Raises :class:`InputError` (one line naming the file) for anything unreadable.
    """
    import docx

    _check_lxml_parser()
    data = read_docx_bytes(path, limits=limits)
    try:
        return docx.Document(io.BytesIO(data))
    except InputError:
        raise
    except RecursionError as exc:
        raise InputError("document XML is nested too deeply to read (a hostile file?)",
                         file=path, hint=_WORD_HINT) from exc
    except Exception as exc:  # python-docx/lxml raise many types on damaged parts
        raise InputError(
            f"document is damaged and cannot be read ({type(exc).__name__}: {str(exc)[:200]})",
            file=path,
            hint=_WORD_HINT,
        ) from exc


def sandboxed_env(**options: Any):
    """A Jinja environment for templates HR edits: sandboxed, immutable, autoescaping.

    Pass it to ``DocxTemplate.render(context, jinja_env=sandboxed_env())``.
    """
    from jinja2 import FunctionLoader
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    options.setdefault("autoescape", True)
    # {% include %} / {% import %} / {% extends %} find nothing: a template cannot read
    # other files (e.g. '/etc/passwd') from the disk.
    options.setdefault("loader", FunctionLoader(lambda name: None))
    return ImmutableSandboxedEnvironment(**options)


def render_template(template: str | Path, context: dict[str, Any], *, env=None, limits: Limits = LIMITS):
    """Render a docxtpl template safely; returns the rendered ``DocxTemplate`` to save
    (``safeio.atomic_save(out, doc.save, force=...)``).

    A template that reaches for Python internals, has a syntax error or fails while
    rendering raises :class:`InputError` naming the template.
    """
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError, TemplateNotFound, TemplateSyntaxError

    _check_lxml_parser()
    data = read_docx_bytes(template, limits=limits)
    try:
        doc = DocxTemplate(io.BytesIO(data))
        doc.render(context, jinja_env=env or sandboxed_env())
    except SecurityError as exc:
        raise InputError(
            f"template tries to reach Python internals, which templates may not do ({exc})",
            file=template,
            hint="use only the fields the docs list (docs/medpay-team.md: forms and letters; docs/hr-officer.md: framework) in {{ ... }}",
        ) from exc
    except TemplateNotFound as exc:
        raise InputError(
            f"template tries to include another file ({exc.name!r}), which templates may not do",
            file=template,
            hint="remove the {% include %}, {% import %} or {% extends %} tag",
        ) from exc
    except TemplateSyntaxError as exc:
        raise InputError(
            f"template has a Jinja syntax error: {exc.message}",
            file=template,
            hint="check the {{ ... }} and {% ... %} tags in the template",
        ) from exc
    except TemplateError as exc:
        raise InputError(f"template cannot be rendered: {exc}", file=template) from exc
    except InputError:
        raise
    except RecursionError as exc:
        raise InputError("template XML is nested too deeply to read", file=template) from exc
    except Exception as exc:
        raise InputError(
            f"template is damaged and cannot be rendered ({type(exc).__name__}: {str(exc)[:200]})",
            file=template,
            hint=_WORD_HINT,
        ) from exc
    return doc
