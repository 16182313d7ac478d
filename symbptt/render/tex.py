"""From a model and its verification report to LaTeX source, through the templates."""

from __future__ import annotations

from pathlib import Path

import jinja2

from ..errors import SpecError
from ..model import RNNSpec
from ..vector.model import ElmanSpec
from ..verify import Report
from .document import DocumentOptions, document_context
from .env import environment


def render_tex(
    spec: RNNSpec | ElmanSpec,
    report: Report,
    options: DocumentOptions | None = None,
    *,
    template: Path | None = None,
    fragment: bool = False,
) -> str:
    """The LaTeX of the derivation document.

    Args:
        spec: the model and T (the scalar model, or the vector model in matrix notation
            through ``elman.tex.j2``).
        report: the verifier's report for ``spec`` (printed as the certificate).
        options: title, author, notation, sections.
        template: a template file of the user's (it may extend ``base.tex.j2``).
        fragment: only the body, for ``\\input`` into existing notes.

    Raises:
        SpecError: the template cannot be found or is not valid Jinja.
    """
    options = options or DocumentOptions()
    extra = (template.parent,) if template else ()
    env = environment(extra)
    try:
        if isinstance(spec, ElmanSpec):
            from .vector_document import vector_document_context

            default, context = "elman.tex.j2", vector_document_context(spec, report, options)
        else:
            default, context = "base.tex.j2", document_context(spec, report, options)
        tpl = env.get_template(template.name if template else default)
        return tpl.render(fragment=fragment, **context)
    except jinja2.TemplateNotFound as err:
        raise SpecError(f"template not found: {err.name}") from None
    except jinja2.TemplateSyntaxError as err:
        raise SpecError(
            f"template {err.filename or err.name}, line {err.lineno}: {err.message}"
        ) from None
    except jinja2.UndefinedError as err:
        raise SpecError(f"template uses an undefined variable: {err.message}") from None
