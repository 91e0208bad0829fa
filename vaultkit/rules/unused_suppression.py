"""A suppression comment or property that no longer suppresses anything.

## What it does
Reports a `<!-- vaultkit-disable-next-line CODE -->`, `%% vaultkit-disable CODE %%` or `vaultkit_disable`
property entry when no diagnostic of that code was suppressed by it in this run. A comment of several
codes is judged as a whole, reported only if none of its codes suppressed anything, also when `enable`
comments end its codes one at a time. Suppressions of codes that were not selected in the run are not
judged.

Suppression forms, in the body (`%%` comments are hidden in Obsidian's reading view):
- `<!-- vaultkit-disable-next-line VK120 -->` or `%% vaultkit-disable-next-line VK120 %%`: the next line;
- `%% vaultkit-disable VK120 %%` ... `%% vaultkit-enable VK120 %%`: a region (to the end without enable);
- no code: every code. Several codes: `VK120, VK101`.
For the whole note, the frontmatter property `vaultkit_disable: [VK120]`.

## Why is this bad?
A stale suppression hides the next real problem on that line.

## Example
```markdown
<!-- vaultkit-disable-next-line VK101 -->
A line whose link was fixed long ago: [[ResRL]].
```

## Use instead
Remove the comment.
"""

from __future__ import annotations

import sys

from vaultkit.diagnostics import Severity
from vaultkit.rules.base import rule

RULE = rule(sys.modules[__name__], "VK301", "unused-suppression", "run", severity=Severity.WARNING)
