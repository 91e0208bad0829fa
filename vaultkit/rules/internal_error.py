"""vaultkit itself failed on a note.

## What it does
Reports a note on which vaultkit hit an unexpected error, with the error, instead of stopping the run
with a traceback. The rest of the vault is still checked. Nothing is written to that note.

## Why is this bad?
It is a bug in vaultkit, not in your note: please report it with the note (or a copy that still fails).

## Example
```text
Notes/odd.md:1:1: VK000 vaultkit could not process this note (ValueError: ...); please report it
```

## Use instead
Nothing to change in the note; `--ignore VK000` hides it until vaultkit is fixed.
"""

from __future__ import annotations

import sys

from vaultkit.rules.base import rule

RULE = rule(sys.modules[__name__], "VK000", "internal-error", "run")
