"""Detection: parse once with stdlib ast, resolve imports, classify names, track taint."""
