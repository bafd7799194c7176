"""Management commands (citations/management/commands/): import_bibtex and
export_bibtex."""

import bibtexparser
import pytest
from django.core.management import call_command

from citations.models import Work
from tests.citations.helpers import MESSY

pytestmark = pytest.mark.django_db


def test_commands_import_and_export(tmp_path, capsys):
    path = tmp_path / "messy.bib"
    path.write_text(MESSY, encoding="utf-8")
    call_command("import_bibtex", str(path), "--dry-run")
    assert Work.objects.count() == 0
    call_command("import_bibtex", str(path))
    out = capsys.readouterr().out
    assert (
        "in error (not imported)" in out and "error      shannon1948mathematical" in out
    )
    call_command("export_bibtex", "--output", str(tmp_path / "all.bib"))
    exported = bibtexparser.parse_string((tmp_path / "all.bib").read_text())
    assert len(exported.entries) == Work.objects.count()
