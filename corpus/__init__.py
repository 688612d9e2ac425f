"""The bundled corpus: each article's text beside its YAML annotation."""

from pathlib import Path

CORPUS_DIR = Path(__file__).parent


def bundled_annotations() -> list[Path]:
    """Every annotation file shipped with the package, in a stable order."""
    return sorted(CORPUS_DIR.glob("*.yaml"))
