"""Compiles locale/*/LC_MESSAGES/*.po to .mo with polib, so no gettext binaries are needed."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent

for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
    mo_path = po_path.with_suffix(".mo")
    polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
    print(f"» compiled {po_path.relative_to(ROOT)}")
