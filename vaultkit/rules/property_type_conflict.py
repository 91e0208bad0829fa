"""A property whose type differs between schemas, or between the schemas and `.obsidian/types.json`.

## What it does
Derives each property's Obsidian type from the schemas (integer/number: number, boolean: checkbox, string
with format date: date, date-time: datetime, `tags`, `aliases`, list: multitext, otherwise text) and
reports a property that two schemas type differently, or that `types.json` types differently from them.
`vaultkit obsidian-types` writes `types.json` from the schemas.

## Why is this bad?
Obsidian applies one type per property name to the whole vault. If `rating` is a number for papers and
text for people, one of the two kinds is shown and edited with the wrong widget, and values typed there
are silently converted.

## Example
```json
{"types": {"review_value": "text"}}
```

## Use instead
```json
{"types": {"review_value": "number"}}
```
"""

from __future__ import annotations

import sys

from vaultkit.diagnostics import Severity
from vaultkit.rules.base import rule

RULE = rule(sys.modules[__name__], "VK023", "property-type-conflict", "run", severity=Severity.WARNING)
