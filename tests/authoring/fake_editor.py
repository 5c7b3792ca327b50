"""A stand-in for $EDITOR that is a real program: run as ``python3 fake_editor.py ARGS``.

It edits the file named by its last argument as scripted in the folder ``$FAKE_EDITOR_DIR``:
run N (counted in ``count``) applies ``N.md`` (the file's new content), or ``N.json``
(``{"replace": [[old, new], ...]}`` applied to the file), or leaves the file alone when
neither exists; ``N.exit`` holds an exit status. Every run appends its arguments and the
text it was given to ``calls.json``, so a test can read what the editor was shown.
"""

import json
import os
import sys
from pathlib import Path


def main() -> int:
    script = Path(os.environ["FAKE_EDITOR_DIR"])
    target = Path(sys.argv[-1])
    counter = script / "count"
    run = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(run))
    before = target.read_text(encoding="utf-8") if target.exists() else None
    calls = script / "calls.json"
    log = json.loads(calls.read_text()) if calls.exists() else []
    log.append({"argv": sys.argv[1:], "text": before})
    calls.write_text(json.dumps(log))
    content, edits = script / f"{run}.md", script / f"{run}.json"
    if content.exists():
        target.write_text(content.read_text(encoding="utf-8"), encoding="utf-8")
    elif edits.exists():
        text = before or ""
        for old, new in json.loads(edits.read_text(encoding="utf-8"))["replace"]:
            if old not in text:
                return 3  # the test's script does not fit the file: fail loudly
            text = text.replace(old, new)
        target.write_text(text, encoding="utf-8")
    status = script / f"{run}.exit"
    return int(status.read_text()) if status.exists() else 0


if __name__ == "__main__":
    raise SystemExit(main())
