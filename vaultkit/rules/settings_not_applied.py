"""A setting in the `.obsidian` folder that vaultkit could not apply, and went on without.

## What it does
Reports a settings file vaultkit reads (`app.json`, `types.json`, the template settings) that is empty,
cut short, not JSON, not UTF-8 or not a JSON object: the run goes on as if the file were absent, with
Obsidian's defaults for what it holds, instead of stopping every run (and every commit) with exit 2.
Also reports an entry of `userIgnoreFilters` that is not applied: a `/regular expression/` JavaScript
refuses (Obsidian ignores it too), or one vaultkit cannot read the way JavaScript does (a lookbehind of
varying length) or that could run for ever; an entry of `types.json` whose type is not a type name
(`"count": 5`); and a template setting of another shape (a plugin's `data.json` from another version of
it: `"choices": {...}`, `"templatePath": 5`), whose templates are then checked as notes; and a template
folder setting that names no folder of the vault where one reads almost alike (renamed since: `02
Templates` for `01 Templates`), with that folder, since the notes meant as templates are then checked and
linked as notes.
Reported, with `VK023`, in a run on the whole vault or on the settings file itself. A run that writes
(`link`, `--fix`) writes no note while what is not applied says which notes to leave alone (excluded
files, templates).

## Why is this bad?
The run does not do what the settings say: excluded files are checked (and linked), template folders are
checked as notes, or a property's declared type is not compared with the schemas. A settings file left
empty or cut short by a sync conflict or a crash has lost your settings for Obsidian too: restore it from a
backup or your history.

## Example
```json
{"userIgnoreFilters": ["Archive/", "/(?i)draft/"
```

## Use instead
```json
{"userIgnoreFilters": ["Archive/", "/draft/"]}
```
"""

from __future__ import annotations

import sys

from vaultkit.diagnostics import Severity
from vaultkit.rules.base import rule

RULE = rule(sys.modules[__name__], "VK024", "settings-not-applied", "run", severity=Severity.WARNING)
