"""A folder of the vault that vaultkit could not list, so none of its notes were checked.

## What it does
Reports each folder whose entries could not be read: no permission to read or search it, or an error
from the file system. The run goes on with the rest of the vault, and says which part it did not see.

## Why is this bad?
A check that passes while part of the vault went unread is a false green: the notes in that folder may
hold any problem, and links to them are reported as broken. vaultkit never skips notes silently.

## Example
```text
Private/  (drwx------, owned by another user)
```

## Use instead
Make the folder readable (`chmod u+rx Private`), or add it to `exclude` in vaultkit.toml if it is not part
of what you want checked; an excluded folder is not listed, and not reported.
"""

from __future__ import annotations

import sys

from vaultkit.rules.base import rule

RULE = rule(sys.modules[__name__], "VK206", "unreadable-folder", "run")
