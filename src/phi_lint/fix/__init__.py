"""Fixes: rules describe them, the fixer applies them.

- source.py: positions in a file's text (ast byte columns to character columns, exact segments).
- build.py: small builders the rules call to attach a Fix to a Report (wrap in the redactor,
  switch a setting off, remove `verify=False`, ...). Pure text and ast: no libcst, so a plain
  `phi-lint check` stays fast.
- apply.py: applies fixes to files with `--fix` / `--diff`: edits, imports (libcst's
  AddImportsVisitor, imported there and only there), re-parsing, atomic writes, passes until stable.

`Fix.imports` entries: `pkg.mod.name` means `from pkg.mod import name`, `pkg.mod.name as alias`
adds the alias, and a name without a dot (`os`, `hashlib`) means `import name`.
"""
