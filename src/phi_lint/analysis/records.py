"""Records by type: a class is a PHI record by its fields' names, and also by its fields' types
(`Visit.subject: Patient`, `ForeignKey(Patient)`) and by what its `__str__`/`__repr__` shows
(`return f"{self.first_name} {self.last_name}"`). A value is a record when its annotation, the
return annotation of the function that made it, or the type of the field it was read from names a
record class."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from phi_lint.analysis.classify import Sensitivity
from phi_lint.analysis.labels import CLEAN, PHI_RECORD, Taint
from phi_lint.analysis.syntax import annotation_names

if TYPE_CHECKING:
    from phi_lint.analysis.module import ModuleAnalysis

_SHOWN_BY = ("__str__", "__repr__")


def record_class_why(m: ModuleAnalysis, name: str) -> str | None:
    """Why instances of the class called `name` here are PHI records: a record class of this
    module, a FHIR resource class, or an imported class whose name is a record (`Patient`,
    `MemberProfile`). None for anything else."""
    info = m.classes.get(name)
    if info is not None:
        return info.record.why if info.record is not None else None
    dotted = m.imports.resolve_text(name)
    if dotted and m.project is not None:
        why = m.project.record_why(dotted)  # a record class of another module of the project
        if why:
            return why
    last = (dotted or name).rpartition(".")[2]
    if last in m.catalog.vocabulary.fhir_resources and (dotted is None or "fhir" in dotted):
        return f"`{last}` is a FHIR resource"
    hit = m.classifier.classify(last) if last[:1].isupper() else None
    if hit is not None and hit.record:
        return f"`{last}` is a record about a person"
    return None


def promote_records(m: ModuleAnalysis) -> None:
    """Give each class of the module the types of its record fields, and make a record of every
    class that holds one or shows PHI in `__str__`; repeated until nothing changes
    (`Claim.visit: Visit`, `Visit.subject: Patient`)."""
    for info in m.classes.values():
        info.field_types = _record_fields(m, info.node)
    changed = True
    while changed:
        changed = False
        for name, info in m.classes.items():
            if info.record is not None:
                continue
            why = _why_by_fields(m, name, info) or _why_by_display(m, name, info)
            if why:
                info.record = Sensitivity("record", "record", why, record=True)
                changed = True


def _record_fields(m: ModuleAnalysis, node: ast.ClassDef) -> dict[str, str]:
    """field -> the class it holds, for fields annotated with a class (`subject: Patient`,
    `Mapped["Patient"]`) or made by a relation (`ForeignKey(Patient)`, `relationship("Patient")`)."""
    out: dict[str, str] = {}
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            names = [n.rpartition(".")[2] for n in annotation_names(stmt.annotation)]
            held = next((n for n in names if n[:1].isupper() and n in m.classes or record_class_why(m, n)), None)
            if held:
                out[stmt.target.id] = held
            if stmt.value is not None:
                related = _related_class(m, stmt.value)
                if related:
                    out[stmt.target.id] = related
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            related = _related_class(m, stmt.value)
            if related:
                out[stmt.targets[0].id] = related
    return out


def _related_class(m: ModuleAnalysis, value: ast.expr) -> str | None:
    """`models.ForeignKey(Patient, ...)`, `relationship("Patient")`: the class a relation holds."""
    if not isinstance(value, ast.Call) or not value.args:
        return None
    key = m.imports.resolve(value.func) or ""
    if not m.catalog.matches("relation-calls", key):
        return None
    target = value.args[0]
    name = target.id if isinstance(target, ast.Name) else target.value if isinstance(target, ast.Constant) and isinstance(target.value, str) else None
    if not name:
        return None
    name = name.rpartition(".")[2]
    return name if name in m.classes or record_class_why(m, name) else None


def _why_by_fields(m: ModuleAnalysis, name: str, info) -> str | None:
    for field, held in sorted(info.field_types.items()):
        if record_class_why(m, held):
            return f"`{name}.{field}` holds a `{held}`, a record about a person"
    return None


def _why_by_display(m: ModuleAnalysis, name: str, info) -> str | None:
    """`def __str__(self): return f"{self.patient.full_name} ({self.ward})"`: formatting or
    logging an instance shows PHI."""
    for method in _SHOWN_BY:
        fn = info.methods.get(method)
        if fn is None:
            continue
        for stmt in ast.walk(fn.node):
            if isinstance(stmt, ast.Return) and stmt.value is not None:
                shown = _shown_field(m, info, stmt.value)
                if shown:
                    return f"`{name}.{method}` shows `{shown}`"
    return None


def _shown_field(m: ModuleAnalysis, info, value: ast.expr) -> str | None:
    for sub in ast.walk(value):
        if not (isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and sub.value.id == "self"):
            continue
        hit = m.classifier.classify(sub.attr)
        if hit is not None:
            return f"self.{sub.attr}"
    for sub in ast.walk(value):  # `self.person.first_name`: a field of a record field
        if (isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Attribute)
                and isinstance(sub.value.value, ast.Name) and sub.value.value.id == "self"):
            held = info.field_types.get(sub.value.attr)
            if held and record_class_why(m, held) and m.classifier.classify(sub.attr, True) is not None:
                return f"self.{sub.value.attr}.{sub.attr}"
    return None


class Records:
    """Record-by-type handlers of FunctionAnalysis."""

    def _typed_record(self, annotation: ast.expr | None, name: str, node: ast.AST) -> Taint:
        """`p: Patient = load(k)`: the value is a record by its annotation (and its class is
        remembered, so that `p.subject` reads a typed field)."""
        if annotation is None:
            return CLEAN
        for written in annotation_names(annotation):
            why = record_class_why(self.m, written)
            cls_name = written.rpartition(".")[2]
            if cls_name in self.m.classes:
                self.record_types[name] = cls_name
            if why:
                return self._birth(PHI_RECORD, "record", name, f"`{name}: {cls_name}`; {why}", node)
        return CLEAN

    def _returned_record(self, node: ast.Call) -> Taint:
        """`load(k)` where `def load(k) -> Patient`: the call gives back a record."""
        if not isinstance(node.func, ast.Name):
            return CLEAN
        fn = self.m.functions.get(node.func.id)
        returned = self.returned_record_class(fn.node) if fn is not None else None
        if returned is None:
            return CLEAN
        cls_name, why = returned
        return self._birth(PHI_RECORD, "record", self.m.line_text(node), f"`{fn.node.name}()` returns a `{cls_name}`; {why}", node)

    def returned_record_class(self, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, str] | None:
        """(class, why) when a function's return annotation names a record class (`-> Patient`,
        `-> models.Patient`, `-> list[Patient]`)."""
        for written in annotation_names(fn.returns) if fn.returns is not None else ():
            why = record_class_why(self.m, written)
            if why:
                return written.rpartition(".")[2], why
        return None

    def _remember_record_type(self, name: str, value: ast.expr) -> None:
        """`visit = Visit(...)`, `visit = load_visit(k)` (-> Visit): the class of a local."""
        self.record_types.pop(name, None)
        if isinstance(value, ast.Await):
            value = value.value
        if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Name):
            return
        callee = value.func.id
        if callee in self.m.classes:
            self.record_types[name] = callee
        elif callee in self.m.functions and self.m.functions[callee].node.returns is not None:
            held = [n for n in annotation_names(self.m.functions[callee].node.returns) if n in self.m.classes]
            if held:
                self.record_types[name] = held[0]

    def _is_opaque_reference(self, value: ast.expr) -> bool:
        """`current_user.uuid`, `patient_id`: a reference to a record, not the record; a key that
        names a record (`{"user": current_user.uuid}`) does not make it one."""
        name = value.attr if isinstance(value, ast.Attribute) else value.id if isinstance(value, ast.Name) else None
        words = self.m.classifier.words(name) if name else ()
        return bool(words) and words[-1] in self.m.catalog.vocabulary.opaque_words

    def _imported_person_field(self, node: ast.Attribute) -> Taint:
        """`current_user.email` where `from flask_login import current_user`: an imported object
        named after a person is a record like a local one."""
        if not isinstance(node.value, ast.Name) or node.value.id not in self.m.imports.names:
            return CLEAN
        if self.m.classifier.names_person(node.value.id) is not True:
            return CLEAN
        text = self.m.line_text(node.value)
        record = self._birth(PHI_RECORD, "record", text, f"`{text}` is the signed-in person", node.value)
        return self._member(record, node.attr, node)

    def _typed_field(self, node: ast.Attribute | ast.Subscript) -> Taint:
        """`visit.subject` where `Visit.subject: Patient`, `state["member"]` of a TypedDict state
        whose `member: Member`: the field is a record by its type."""
        if not isinstance(node.value, ast.Name):
            return CLEAN
        owner = self.record_types.get(node.value.id)
        info = self.m.classes.get(owner) if owner else None
        field = node.attr if isinstance(node, ast.Attribute) else self.const_str(node.slice)
        held = info.field_types.get(field) if info is not None and field else None
        why = record_class_why(self.m, held) if held else None
        if not why:
            return CLEAN
        text = self.m.line_text(node)
        return self._birth(PHI_RECORD, "record", text, f"`{owner}.{field}` holds a `{held}`; {why}", node)
