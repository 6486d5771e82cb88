"""Every message the API raises to a person has its Vietnamese template.

The code raises in English and api/wording words the answer (api/wording/vietnamese.py);
a message without a template reaches a Vietnamese clerk in English. This test reads the
source (no import of the routes, no database): each call of an error class of api/errors
(``Invalid``, ``Conflict``, ``NotFound``… and their subclasses), with its message as a
literal, an f-string, a concatenation, ``"…".format(…)``, a conditional or a local name
set to one of those, and follows a message handed through a helper's parameter
(``refusal(…, message)`` returning ``Invalid(message)``) to the helper's callers. An
f-string's values stand for any text, so it is matched by its literal parts as
``in_language`` matches templates. A message the source cannot tell (a library's text, a
worker's answer) must be listed in ``NOT_STATIC`` with where its wording is looked after.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from api.certificates.shc import CardTooLarge
from api.errors import AppError
from api.registry.identity.codes import CodeError
from api.wording.services import SENTENCE_END, in_language
from scanning.errors import ScanError
from scanning.model import Hint
from schedule.vn.screening import ScreeningError
from tests.conftest import REPO

SOURCES = [REPO / "api", REPO / "scanning", REPO / "schedule" / "vn" / "screening.py"]
# A value of an f-string: text no template has as a literal part, so only a placeholder
# matches it.
ANY = "X1"
# A parameter's place in a message a helper builds (``f"{where}: {message}"``): filled in
# with what each caller hands it.
HOLE = "\0{}\0"
_HOLES = re.compile(r"\0(\w+)\0")
# How many spellings of one message (conditionals multiply) are checked at most.
MOST = 64

# Messages whose text the source cannot give: (path, function, the message's source)
# → where their wording is looked after.
NOT_STATIC: dict[tuple[str, str, str], str] = {
    ("api/accounts/linking/services.py", "link_by_card", "exc.message"): "a card's PayloadError, read where raised",
    ("api/accounts/linking/services.py", "link_by_card", "verdict.message or 'Not a valid card'"): (
        "a card's Verdict (CARRIERS), and the fallback has its template"
    ),
    ("api/certificates/services.py", "certificate", "str(exc)"): "shc.CardTooLarge, read where raised",
    ("api/certificates/controllers.py", "verify", "verdict.message"): "a certificate's Verdict (CARRIERS)",
    ("api/immunization/services.py", "screening_outcome", "str(error)"): "ScreeningError, read where raised",
    ("api/records/checks.py", "_advice", "error.message"): "screening_outcome's Invalid, handed on with its field",
    ("api/registry/cards/controllers.py", "prefill_from_id_card", "exc.message"): (
        "scanning's PayloadError (citizen ID card), read where raised"
    ),
    ("api/registry/subjects/services.py", "by_code", "str(exc)"): "codes.CodeError, read where raised",
    ("api/registry/subjects/validation.py", "check_personal_id_number", "' '.join((p.message for p in problems))"): (
        "the ID number's Discrepancy messages (CARRIERS), worded sentence by sentence"
    ),
    ("api/scan/controllers.py", "decode_photo", "outcome['message']"): "the scan worker's ScanError, read where raised",
    ("scanning/payloads/personal_id.py", "check_personal_id", "str(exc)"): (
        "the ID number's CitizenIdError (its length), read where raised"
    ),
    # Left in English: the text of biip (the GS1 library) on a malformed GTIN or SSCC,
    # shown under the stock receipt's scanned label.
    ("scanning/payloads/gs1.py", "_from_elements", "element.gtin_error"): "biip's English (not worded)",
    ("scanning/payloads/gs1.py", "_from_elements", "element.sscc_error"): "biip's English (not worded)",
}

# Not errors, yet a message a route answers with: (class name) → (position, name) of it.
CARRIERS = {
    "Verdict": (2, "message"),  # a lifelong card's check (api/registry/cards/services.py)
    "Discrepancy": (1, "message"),  # a personal ID number's problem (scanning/payloads/personal_id.py)
}

Function = ast.FunctionDef | ast.AsyncFunctionDef
# Where a message is raised: (path, line, column) of the call, then of each helper's
# raise it goes through, so that each raise of a helper is a message of its own.
Site = tuple[str | int, ...]


class NotStatic(Exception):
    """The source does not say what the message is."""


@dataclass
class Found:
    """A message raised to a person: its spellings, or None when the source cannot tell."""

    where: str  # path:line
    key: tuple[str, str, str]
    spellings: list[str] | None


class Module:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        self.parents: dict[ast.AST, ast.AST] = {}
        self.calls: list[ast.Call] = []
        # name → the module it is imported from (``from api.places.importer import refusal``)
        self.imported: dict[str, str] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
            if isinstance(node, ast.Call):
                self.calls.append(node)
            elif isinstance(node, ast.ImportFrom):
                self.imported.update((a.asname or a.name, node.module or "") for a in node.names)
        self._bound: dict[ast.AST, dict[str, list[ast.expr]]] = {}
        self.shown = str(path.relative_to(REPO))
        self.dotted = ".".join(path.relative_to(REPO).with_suffix("").parts)

    def bound(self, scope: ast.AST) -> dict[str, list[ast.expr]]:
        """What each name of ``scope`` is set to (assigned, ``:=``, a loop's values)."""
        if scope not in self._bound:
            names: dict[str, list[ast.expr]] = {}
            for node in ast.walk(scope):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            names.setdefault(target.id, []).append(node.value)
                elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and isinstance(node.target, ast.Name):
                    if node.value is not None:
                        names.setdefault(node.target.id, []).append(node.value)
                elif isinstance(node, ast.For | ast.comprehension):
                    for name in (n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)):
                        names.setdefault(name, []).extend(_looped(node.target, node.iter, name))
            self._bound[scope] = names
        return self._bound[scope]

    def function(self, node: ast.AST) -> Function | None:
        seen = self.parents.get(node)
        while seen is not None and not isinstance(seen, Function):
            seen = self.parents.get(seen)
        return seen

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        seen = self.parents.get(node)
        while seen is not None:
            yield seen
            seen = self.parents.get(seen)

    def relative(self) -> str:
        return self.shown


@dataclass
class Relay:
    """A helper that builds an error around its parameter ``parameter`` (``refusal(line,
    …, message)`` returns ``Invalid(f"{where}: {message}")``): its callers' messages."""

    module: Module
    function: Function
    parameter: str
    position: int | None  # among the positional parameters, ``self`` not counted
    method: bool
    frames: list[str]  # the message around the parameter's HOLE
    site: Site
    key: tuple[str, str, str]
    told: bool = False  # some caller hands it a text: the callers' messages are checked

    def takes(self, module: Module, call: ast.Call) -> ast.expr | None:
        """The message ``call`` hands this helper, when it calls it."""
        name = self.function.name
        if isinstance(call.func, ast.Name):
            if self.method or call.func.id != name:
                return None
            if module is self.module:
                # The helper's own scope must enclose the call (a nested ``refuse`` is seen only inside).
                if self.module.parents.get(self.function) not in {self.module.tree, *module.ancestors(call)}:
                    return None
            elif not self.module.dotted.endswith(module.imported.get(name) or "\0"):
                return None
        elif isinstance(call.func, ast.Attribute) and call.func.attr == name:
            if self.method and module is not self.module:
                return None  # ``row.refuse(…)``: a method is called by its own module here
            if not self.method and not (
                isinstance(call.func.value, ast.Name) and call.func.value.id == self.module.path.stem
            ):
                return None  # ``ledger.refuse(…)``: a function by its module's name
        else:
            return None
        for keyword in call.keywords:
            if keyword.arg == self.parameter:
                return keyword.value
        if self.position is not None and len(call.args) > self.position:
            return call.args[self.position]
        return None


class Relays:
    """The helpers found so far, by function, parameter and raise (a helper raising two
    messages around one parameter is two relays), and looked up by name."""

    def __init__(self) -> None:
        self.each: dict[tuple[int, str, Site], Relay] = {}
        self._by_name: dict[str, list[Relay]] = {}

    def __len__(self) -> int:
        return len(self.each)

    def add(self, relay: Relay) -> None:
        if self.each.setdefault((id(relay.function), relay.parameter, relay.site), relay) is relay:
            self._by_name.setdefault(relay.function.name, []).append(relay)

    def named(self, name: str | None) -> list[Relay]:
        return self._by_name.get(name or "", [])


def _products(parts: list[list[str]]) -> list[str]:
    joined = ("".join(p) for p in itertools.islice(itertools.product(*parts), MOST))
    return list(dict.fromkeys(joined))


def _format_fields(text: str) -> str:
    """A ``str.format`` template with its fields as values."""
    return re.sub(r"\{[^{}]*\}", ANY, text)


class Reader:
    """The spellings of a message expression, read in its module and function."""

    def __init__(self, module: Module, node: ast.AST, modules: dict[str, Module]) -> None:
        self.module = module
        self.modules = modules
        self.function = module.function(node) if node is not module.tree else None

    def _parameters(self) -> set[str]:
        if self.function is None:
            return set()
        arguments = self.function.args
        return {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}

    def spellings(self, expr: ast.expr, depth: int = 0) -> list[str]:
        if depth > 8:
            raise NotStatic
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return [expr.value]
        if isinstance(expr, ast.JoinedStr):
            return _products([self._value(v, depth) for v in expr.values])
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return _products([self.spellings(expr.left, depth + 1), self.spellings(expr.right, depth + 1)])
        if isinstance(expr, ast.IfExp):
            return [*self.spellings(expr.body, depth + 1), *self.spellings(expr.orelse, depth + 1)]
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
            return [_format_fields(s) for s in self.spellings(expr.func.value, depth + 1)]
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
            return self._returned(self.module.imported.get(expr.func.id), expr.func.id, depth)
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and isinstance(expr.func.value, ast.Name)
        ):
            # ``passwords.weakness(…)``: a function of a module of ours
            base = expr.func.value.id
            dotted = f"{self.module.imported[base]}.{base}" if base in self.module.imported else base
            return self._returned(dotted, expr.func.attr, depth)
        if isinstance(expr, ast.Name):
            if expr.id in self._parameters():
                return [HOLE.format(expr.id)]
            return self._name(expr.id, depth, embedded=False)
        raise NotStatic

    def _value(self, part: ast.expr, depth: int) -> list[str]:
        """An f-string's part: its text; a parameter's hole; a local text's spellings
        (``why`` set to a sentence: it must be worded with the message); else any value."""
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            return [part.value]
        if isinstance(part, ast.FormattedValue) and part.conversion == -1:
            if isinstance(part.value, ast.BoolOp):  # ``{hint or "a default"}``
                return [s for v in part.value.values for s in self._value(ast.FormattedValue(v, -1), depth + 1)]
            try:
                if isinstance(part.value, ast.Name) and part.value.id not in self._parameters():
                    return self._name(part.value.id, depth + 1, embedded=True)
                return self.spellings(part.value, depth + 1)
            except NotStatic:
                pass
        return [ANY]

    def _name(self, name: str, depth: int, *, embedded: bool) -> list[str]:
        """A local name's spellings; ``embedded`` in an f-string, a part of it the source
        cannot tell stands for any value, else it makes the message one it cannot tell."""
        scope: ast.AST = self.function if self.function is not None else self.module.tree
        values = self.module.bound(scope).get(name, [])
        if not values and self.function is not None:  # a module's constant
            return Reader(self.module, self.module.tree, self.modules)._name(name, depth + 1, embedded=embedded)
        if not values:
            raise NotStatic
        if embedded:
            return [s for value in values for s in self._value(ast.FormattedValue(value, -1), depth + 1)]
        return [s for value in values for s in self.spellings(value, depth + 1)]

    def _returned(self, dotted: str | None, name: str, depth: int) -> list[str]:
        """What a function of ours returns as a text (``problem = outside_window(day)``)."""
        found: Module | None = self.module
        if dotted is not None:
            found = next((m for d, m in self.modules.items() if d.endswith(dotted)), None)
        if found is None:
            raise NotStatic
        module = found
        function = next(
            (n for n in module.tree.body if isinstance(n, Function) and n.name == name),
            None,
        )
        if function is None:
            raise NotStatic
        returned = [
            n.value
            for n in ast.walk(function)
            if isinstance(n, ast.Return)
            and n.value is not None
            and not (isinstance(n.value, ast.Constant) and n.value.value is None)
        ]
        reader = Reader(module, returned[0], self.modules) if returned else None
        if reader is None:
            raise NotStatic
        return [s for value in returned for s in reader.spellings(value, depth + 1)]


def _looped(target: ast.expr, over: ast.expr, name: str) -> list[ast.expr]:
    """``for key, limit, whom in ((…, "from this address"), …)``: the values ``name`` takes."""
    if not isinstance(over, ast.Tuple | ast.List):
        return [ast.Name(id="\0")]  # a loop over something else: not a text we can tell
    if isinstance(target, ast.Name):
        return list(over.elts)
    if isinstance(target, ast.Tuple):
        index = next(i for i, t in enumerate(target.elts) if isinstance(t, ast.Name) and t.id == name)
        return [e.elts[index] for e in over.elts if isinstance(e, ast.Tuple) and len(e.elts) > index]
    return [ast.Name(id="\0")]


def _error_classes() -> set[type[Exception]]:
    """Our errors a person reads: the API's, and those of the libraries whose message a
    route hands on as its own (a scanned code's, a screening form's, a certificate's)."""
    import api.app  # noqa: F401  (every route, and so every error class, is imported)

    found: set[type[Exception]] = set()
    todo: list[type[Exception]] = [AppError, ScanError, CodeError, ScreeningError, CardTooLarge]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return found


def _takes_message(cls: type[Exception]) -> bool:
    """Whether a call of the class hands it the message (else the class makes it itself)."""
    code = getattr(cls.__init__, "__code__", None)
    if code is None:  # Exception's own: the message first
        return True
    return code.co_argcount > 1 and code.co_varnames[1] == "message"


def _name_of(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _error_message(module: Module, call: ast.Call, takes: set[str], makes: set[str]) -> ast.expr | None:
    """The message of a call of an error class: its first argument (or ``message=``);
    for a class that makes its own, the message its ``__init__`` hands ``super()``."""
    name = _name_of(call.func)
    if isinstance(call.func, ast.Subscript) and isinstance(call.func.value, ast.Name):
        name = _table_of(module, call.func.value.id, takes)  # ``_ERRORS[kind](message)``
    position, keyword_name = CARRIERS.get(name or "", (0, "message"))
    if name in takes or name in CARRIERS:
        for keyword in call.keywords:
            if keyword.arg == keyword_name:
                return keyword.value
        return call.args[position] if len(call.args) > position else None
    if (
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "__init__"
        and isinstance(call.func.value, ast.Call)
        and _name_of(call.func.value.func) == "super"
        and call.args
    ):
        owner = next((a for a in module.ancestors(call) if isinstance(a, ast.ClassDef)), None)
        if owner is not None and owner.name in makes:
            return call.args[0]
    return None


def _table_of(module: Module, table: str, classes: set[str]) -> str | None:
    """One error class of a module's table ``_ERRORS = {kind: Class, …}``."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Dict):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == table for t in targets):
                names = [_name_of(v) for v in node.value.values if v is not None]
                return next((n for n in names if n in classes), None)
    return None


def _key(module: Module, node: ast.AST, expr: ast.expr) -> tuple[str, str, str]:
    function = module.function(node)
    return (module.relative(), function.name if function else "", ast.unparse(expr))


@cache
def raised_messages() -> list[Found]:
    paths = [p for source in SOURCES for p in ([source] if source.is_file() else sorted(source.rglob("*.py")))]
    modules = {m.dotted: m for m in map(Module, paths)}
    classes = _error_classes()
    takes = {cls.__name__ for cls in classes if _takes_message(cls)}
    makes = {cls.__name__ for cls in classes} - takes
    relays = Relays()
    found: dict[Site, Found] = {}
    calls = [(m, c) for m in modules.values() for c in m.calls]
    while True:  # until no new helper hands a message on
        before = len(relays)
        for module, call in calls:
            _read(module, modules, call, takes, makes, relays, found)
        if len(relays) == before:
            break
    for relay in relays.each.values():
        if not relay.told:  # ``not_found(subject_id)``: the helper's own message, with any value
            found[relay.site] = Found(
                f"{relay.site[0]}:{relay.site[1]}", relay.key, [_HOLES.sub(ANY, s) for s in relay.frames]
            )
    return list(found.values())


def _read(
    module: Module,
    modules: dict[str, Module],
    call: ast.Call,
    takes: set[str],
    makes: set[str],
    relays: Relays,
    found: dict[Site, Found],
) -> None:
    """The message of ``call`` (an error class's, or each of a helper's that builds one
    around what the call hands it) into ``found``."""
    expr = _error_message(module, call, takes, makes)
    if expr is not None:
        _spell(module, modules, call, expr, None, relays, found)
        return
    here = (module.relative(), call.lineno, call.col_offset)
    for relay in relays.named(_name_of(call.func)):
        handed = relay.takes(module, call)
        through = {relay.site[i : i + 3] for i in range(0, len(relay.site), 3)}
        if handed is not None and here not in through:  # a helper calling itself: once
            _spell(module, modules, call, handed, relay, relays, found)


def _spell(
    module: Module,
    modules: dict[str, Module],
    call: ast.Call,
    expr: ast.expr,
    relay: Relay | None,
    relays: Relays,
    found: dict[Site, Found],
) -> None:
    """The spellings of the message ``expr`` (framed by ``relay``'s) into ``found``; if
    they still hold a parameter of the calling function, that function into ``relays``."""
    site: Site = (module.relative(), call.lineno, call.col_offset, *(relay.site if relay else ()))
    where = f"{site[0]}:{site[1]}"
    key = _key(module, call, expr)
    try:
        told = Reader(module, call, modules).spellings(expr)
    except NotStatic:
        if relay is None:
            found[site] = Found(where, key, None)
        return  # a helper handed a value (an id): its own message is checked as it stands
    if relay is None:
        spellings = told
    else:
        relay.told = True
        hole = HOLE.format(relay.parameter)
        spellings = [frame.replace(hole, spelling) for frame in relay.frames for spelling in told][:MOST]
    open_holes = {h for s in spellings for h in _HOLES.findall(s)}
    function = module.function(call)
    if not open_holes or function is None:
        found[site] = Found(where, key, [_HOLES.sub(ANY, s) for s in spellings])
        return
    positional = [a.arg for a in [*function.args.posonlyargs, *function.args.args]]
    method = bool(positional) and positional[0] in ("self", "cls")
    for parameter in open_holes:
        position = positional.index(parameter) - method if parameter in positional else None
        relays.add(Relay(module, function, parameter, position, method, spellings, site, key))


_ENGLISH = re.compile(r"[A-Za-z]+(?: [a-z]+){2,}")


def _untranslated(spelling: str) -> bool:
    """No template words it, or a sentence put into it (``{hint}``) stays English: three
    words of the message are still in the answer. A sentence that is all values (a
    library's advice after ours) is the library's: checked on its own below."""
    worded = in_language(spelling, "vi")
    if worded == spelling:
        sentences = SENTENCE_END.split(spelling)
        ours = [s for s in sentences if s.replace(ANY, "").strip(" .")]
        if len(sentences) > 1 and ours:
            return any(_untranslated(s) for s in ours)
        return bool(spelling.strip())
    return any(run in worded for part in spelling.split(ANY) for run in _ENGLISH.findall(part))


def test_every_message_raised_to_a_person_has_a_vietnamese_template() -> None:
    missing = [f"{found.where}: {s}" for found in raised_messages() for s in found.spellings or [] if _untranslated(s)]
    assert not missing, "no Vietnamese template in api/wording/vietnamese.py for:\n" + "\n".join(dict.fromkeys(missing))


def test_a_message_the_source_cannot_tell_is_listed_with_where_it_is_worded() -> None:
    unlisted = [f"{f.where}: {f.key}" for f in raised_messages() if f.spellings is None and f.key not in NOT_STATIC]
    assert not unlisted, "a message the test cannot read: make it a literal, or list it in NOT_STATIC:\n" + "\n".join(
        unlisted
    )


def test_what_zxcvbn_says_of_a_weak_password_is_worded() -> None:
    """The advice a refused password carries is zxcvbn's (``_("…")`` in its feedback
    module), sentence by sentence after ours."""
    import zxcvbn.feedback

    tree = ast.parse(Path(zxcvbn.feedback.__file__).read_text(encoding="utf-8"))
    advice = [
        call.args[0].value
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and _name_of(call.func) == "_"
        and call.args
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    ]
    assert len(advice) > 20, "zxcvbn's feedback module changed: read its advice another way"
    assert [a for a in advice if _untranslated(f"This password is too easy to guess. {a}")] == []


def test_a_photos_hint_is_worded() -> None:
    """What the scanner says of a photo that gave nothing, as the certificate check puts it."""
    for hint in Hint:
        assert not _untranslated(f"No QR code was found in the photo: {hint.message}"), hint
