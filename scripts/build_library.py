"""Write each bundled library YAML file's content as JSON beside it.

The integration reads the JSON copies: building the YAML's objects in Python
takes about 50 ms at every setup, parsing the JSON under 1 ms. The YAML stays
the source; a test fails while a JSON copy differs from it.
"""

from __future__ import annotations

import json
from pathlib import Path
import sys

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from custom_components.vertical_farm.library import (  # noqa: E402
    LIBRARY_DIR,
    bundled_copy,
    read_yaml_file,
)


def main() -> None:
    """Write the JSON copies; print the ones that changed."""
    for source in sorted(LIBRARY_DIR.glob("*.yaml")):
        target = bundled_copy(source.name)
        text = json.dumps(read_yaml_file(source), ensure_ascii=False) + "\n"
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
