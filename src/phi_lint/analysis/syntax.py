"""Small questions about syntax, answered without any analysis."""

from __future__ import annotations

import ast
import collections
import re
import string
from typing import Callable, Iterable

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # a name, as read from source text

# Methods that put their arguments into the object they are called on (`turns.append(msg)`).
MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "appendleft", "extendleft", "write", "writelines"})


def operands(node: ast.BinOp) -> list[ast.expr]:
    """The operands of a left-deep chain of binary operations, in source order."""
    rights = []
    while isinstance(node, ast.BinOp):
        rights.append(node.right)
        node = node.left
    rights.append(node)
    rights.reverse()
    return rights



def is_items(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr == "items" and not call.args and not call.keywords



def annotation_names(ann: ast.expr) -> tuple[str, ...]:
    """The class names an annotation mentions, in order: `Patient`, a chain of attributes whole
    (`schemas.NoteCreate`, as FastAPI's tutorial writes a body), and string annotations. Kept on
    the node: a function's annotations are read each time it is interpreted (a twelfth of the
    site-packages benchmark's profile went to reading them again)."""
    known = getattr(ann, "_phi_lint_names", None)
    if known is None:
        known = ann._phi_lint_names = tuple(_annotation_names(ann))
    return known


def _annotation_names(ann: ast.expr) -> list[str]:
    names = []
    todo = collections.deque([ann])
    while todo:
        sub = todo.popleft()
        if isinstance(sub, ast.Name):
            names.append(sub.id)
        elif isinstance(sub, ast.Attribute):
            chain = _attribute_chain(sub)
            names.append(chain or sub.attr)
            if chain:
                continue
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value.isidentifier():
            names.append(sub.value)
        todo.extend(ast.iter_child_nodes(sub))
    return names


def _attribute_chain(node: ast.Attribute) -> str | None:
    """`schemas.NoteCreate` for a chain of attributes on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else None


def target_name(target: ast.expr) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str):
        return target.slice.value
    return None



def included_fields(call: ast.Call) -> list[str] | None:
    """The field names of a literal `include=` (`model_dump(include={"ward", "age_band"})`)."""
    for kw in call.keywords:
        if kw.arg != "include":
            continue
        value = kw.value
        elements = value.keys if isinstance(value, ast.Dict) else getattr(value, "elts", None)
        if isinstance(value, (ast.Set, ast.List, ast.Tuple, ast.Dict)) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in elements
        ):
            return [e.value for e in elements]
    return None



def same_shape(target: ast.expr, value: ast.expr) -> bool:
    """`a, b = x, y`: a tuple target and a tuple value of the same length, nothing starred."""
    return (
        isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List))
        and len(target.elts) == len(value.elts)
        and not any(isinstance(e, ast.Starred) for e in target.elts + value.elts)
    )



def is_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) for v in node.values)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(is_literal(e) for e in node.elts)
    if isinstance(node, ast.UnaryOp):
        return is_literal(node.operand)
    return False



def parameters_of(node: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> list[str]:
    args = node.args
    names = [a.arg for a in args.posonlyargs + args.args]
    if method and names:
        names = names[1:]
    return names + [a.arg for a in args.kwonlyargs]



def bindings_of(roots: list[ast.AST], params: bool) -> dict[str, list]:
    """Every name bound under `roots` -> the values assigned to it, None for a binding that is
    not a plain assignment (a parameter, a loop target, an import, tuple unpacking)."""
    out: dict[str, list] = {}
    direct: set[int] = set()
    for root in roots:
        for sub in ast.walk(root):
            if isinstance(sub, ast.Assign):
                for target in sub.targets:
                    if isinstance(target, ast.Name):
                        out.setdefault(target.id, []).append(sub.value)
                        direct.add(id(target))
            elif isinstance(sub, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and isinstance(sub.target, ast.Name):
                if sub.value is not None:
                    out.setdefault(sub.target.id, []).append(sub.value)
                direct.add(id(sub.target))
            elif isinstance(sub, ast.arg) and (params or sub is not root):
                out.setdefault(sub.arg, []).append(None)
            elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                for alias in sub.names:
                    out.setdefault((alias.asname or alias.name).partition(".")[0], []).append(None)
            elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and sub not in roots:
                out.setdefault(sub.name, []).append(None)
            elif isinstance(sub, ast.ExceptHandler) and sub.name:
                out.setdefault(sub.name, []).append(None)
            elif (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in MUTATORS
                  and isinstance(sub.func.value, ast.Name)):  # `messages.append(turn)`
                out.setdefault(sub.func.value.id, []).append(None)
            elif isinstance(sub, (ast.Subscript, ast.Attribute)) and isinstance(sub.ctx, ast.Store):
                root = sub.value
                while isinstance(root, (ast.Subscript, ast.Attribute)):
                    root = root.value
                if isinstance(root, ast.Name):  # `body["messages"] = msgs`
                    out.setdefault(root.id, []).append(None)
    for root in roots:
        for sub in ast.walk(root):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)) and id(sub) not in direct:
                out.setdefault(sub.id, []).append(None)
    return out


def char_column(lines: list[str], line: int, byte_col: int) -> int:
    """ast columns count UTF-8 bytes; outputs count characters."""
    try:
        text = lines[line - 1]
    except IndexError:
        return byte_col
    if text.isascii():
        return byte_col
    return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))


def names_in_text(names: list[str]) -> Callable[[str], bool]:
    """A test of whether a text names one of `names` as a whole word. Substrings first: an
    alternation between word boundaries is tried at every position of the text (0.2 ms a file,
    for every file of a project, each run), and most files hold none of the names at all."""
    if not names:
        return lambda text: False
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b")
    needles = [name for name in names if not any(other != name and other in name for other in names)]  # `Router` is in any text `APIRouter` is in
    return lambda text: any(needle in text for needle in needles) and pattern.search(text) is not None


def any_of(stems: Iterable[str]) -> Callable[[str], re.Match | None]:
    """A search for any of `stems` in a text (see `stems_pattern`)."""
    return stems_pattern(stems).search


def stems_pattern(stems: Iterable[str]) -> re.Pattern:
    """A pattern of any of `stems`, shaped as their trie (`pa(?:tient|yer)`): a plain alternation
    tries every stem at every character, seven times slower over the names of the stdlib."""
    trie: dict = {}
    for stem in stems:
        node = trie
        for char in stem:
            node = node.setdefault(char, {})
        node[""] = {}  # a stem ends here: what follows in the trie need not be read
    return re.compile(_trie_pattern(trie) if trie else "(?!)")


def names_holding(pattern: re.Pattern, names: Iterable[str]) -> list[str]:
    """The names whose lower-cased text `pattern` finds something in, by one search over them all,
    a name a line: a search per name cost twice as much over the stdlib's 50,000 names."""
    ordered = list(names)
    joined = "\n".join(ordered).lower()
    return [ordered[line - 1] for line in lines_of((m.start() for m in pattern.finditer(joined)), joined)]


def lines_of(offsets: Iterable[int], text: str) -> set[int]:
    """The numbers (from 1) of the lines of `text` (ended by `\\n` alone) that these ascending
    offsets are on, the line ends before each counted once in all."""
    found, line, counted = set(), 1, 0
    for offset in offsets:
        line += text.count("\n", counted, offset)
        counted = offset
        found.add(line)
    return found


def whole_word_starts(text: str, words: Iterable[str]) -> list[int]:
    """Where any of `words` starts in `text` as a whole word (`.`-joined words too: no name
    character right before or after), in order, the longest word tried first. The character
    before is tested here, not by a look-behind in the pattern: one kept the regular expression
    engine from skipping ahead to the words' first letters (3.5 times slower); a match it fails
    is searched again one character on, as the look-behind would have."""
    pattern = re.compile("(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + ")(?![A-Za-z0-9_])")
    starts: list[int] = []
    at = 0
    while (match := pattern.search(text, at)) is not None:
        start = match.start()
        if start and text[start - 1] in _NAME_CHARACTERS:
            at = start + 1
            continue
        starts.append(start)
        at = match.end()
    return starts


_NAME_CHARACTERS = frozenset(string.ascii_letters + string.digits + "_")


def _trie_pattern(node: dict) -> str:
    if "" in node:  # a shorter stem is found already: the longer ones add nothing to a search
        return ""
    branches = [re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items())]
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
