"""A symlinked folder inside the vault, which vaultkit does not enter.

## What it does
Warns about each symbolic link to a folder found in the vault. vaultkit does not walk into it: a link may
point outside the vault, or back into it (a loop), and vaultkit never writes through a link. Symlinked
*files* are read and checked, but never written.

## Why is this bad?
The notes behind the link are not checked, and links to them are reported as broken. Obsidian's own
support for symlinks is partial for the same reasons.

## Example
```text
Shared -> /home/me/other-vault/Shared
```

## Use instead
Move the folder into the vault, or add it to `exclude` in vaultkit.toml to silence this warning.
"""

from __future__ import annotations

import sys

from vaultkit.diagnostics import Severity
from vaultkit.rules.base import rule

RULE = rule(sys.modules[__name__], "VK205", "symlinked-folder", "run", severity=Severity.WARNING)
